"""The real app, end to end: one installation through an incident's first hour, then a restart.

The tests run in order on one data directory (module fixture), as one operator's session would.
"""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

TITLE = "E2E: ransomware on imaging servers"
NOTE = "EDR alert on PACS-02: mass file renames"
QUESTION = "Divert stroke ambulances while imaging is down?"


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def find(d, name: str, timeout: float = 15):
    return WebDriverWait(d, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, tid(name))))


def click(d, name: str, timeout: float = 15):
    el = WebDriverWait(d, timeout).until(EC.element_to_be_clickable((By.CSS_SELECTOR, tid(name))))
    el.click()
    return el


def type_into(d, name: str, text: str):
    el = find(d, name)
    el.clear()
    el.send_keys(text)
    return el


def texts(d, name: str) -> list:
    """The text content of every element with this test id (WebDriver's rendered-text rules hide
    the text of the timeline's absolutely positioned rows, so read the DOM)."""
    return d.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent)", tid(name)
    )


def wait_text(d, name: str, text: str, timeout: float = 15):
    WebDriverWait(d, timeout).until(
        lambda drv: any(text in t for t in texts(drv, name)),
        f"{text!r} never appeared in {name}",
    )


def first_launch(d, person: str):
    """A fresh installation asks who is at the laptop before anything can be written."""
    find(d, "welcome-name", timeout=30)
    type_into(d, "welcome-name", person)
    click(d, "welcome-start")
    wait_text(d, "operator", person)


def first_launch_with_demo(d, person: str):
    """A fresh installation: the person names themselves and starts on the demo incident."""
    find(d, "welcome-name", timeout=30)
    type_into(d, "welcome-name", person)
    click(d, "welcome-demo")
    wait_text(d, "operator", person)
    wait_text(d, "incident-title", "DEMO", timeout=30)


def unfold_alerts(d):
    """The alert area remembers being folded (on this machine's webview storage): unfold it."""
    area = find(d, "alert-area")
    if area.get_attribute("data-collapsed") == "true":
        click(d, "alerts-toggle")
        WebDriverWait(d, 5).until(lambda drv: find(drv, "alert-area").get_attribute("data-collapsed") == "false")


def act_as(d, person: str):
    click(d, "operator")
    type_into(d, "operator-input", person)
    click(d, "operator-save")
    wait_text(d, "operator", person)


def test_open_an_incident_and_record_a_note(desktop, shot):
    d = desktop.start()
    assert d.title.startswith("Muster")
    first_launch(d, "Amara Okafor")
    find(d, "open-incident-form")
    type_into(d, "incident-title-input", TITLE)
    Select(find(d, "incident-severity")).select_by_value("sev1")
    click(d, "open-incident-submit")
    wait_text(d, "incident-title", TITLE)
    wait_text(d, "severity", "SEV1")
    wait_text(d, "current-ic", "Amara Okafor")
    # The quick-entry shortcut focuses the note box from anywhere.
    d.find_element(By.TAG_NAME, "body").send_keys("n")
    WebDriverWait(d, 5).until(lambda drv: drv.switch_to.active_element.get_attribute("data-testid") == "quick-note")
    d.switch_to.active_element.send_keys(NOTE + Keys.ENTER)
    wait_text(d, "row-summary", NOTE)


def test_assign_roles_and_hand_over_command_with_acceptance(desktop, shot):
    d = desktop.session
    click(d, "nav-roster")
    Select(find(d, "assign-position")).select_by_value("technical-lead")
    type_into(d, "assign-person", "Priya Natarajan")
    click(d, "assign-submit")
    wait_text(d, "roster-technical-lead", "Priya Natarajan")

    type_into(d, "handover-to", "Luis Reyes")
    type_into(d, "handover-situation", "PACS-02 encrypted; ED on downtime forms")
    type_into(d, "handover-objectives", "Restore imaging read-only; keep diversion under review")
    click(d, "handover-offer")
    wait_text(d, "handover-briefing", "PACS-02 encrypted")
    # Command has not passed yet: the offer waits for the incoming commander.
    wait_text(d, "current-ic", "Amara Okafor")

    act_as(d, "Luis Reyes")
    click(d, "handover-accept")
    # Command belongs to a position: the acting person confirms it is them before signing.
    wait_text(d, "confirm-acting-who", "You are signing as Luis Reyes, Incident Commander")
    click(d, "confirm-acting-ok")
    wait_text(d, "current-ic", "Luis Reyes")
    wait_text(d, "handover-history", "accepted")


def test_a_status_prompt_fires_on_its_cadence_and_is_answered_then_snoozed(desktop, shot):
    d = desktop.session
    click(d, "nav-prompts")
    Select(find(d, "cadence-scope")).select_by_value("technical-lead")
    type_into(d, "cadence-minutes", "1")
    click(d, "cadence-submit")
    wait_text(d, "prompt-technical-lead", "Every 1 min")
    # The scheduler fires when the update falls due: a minute after the assignment, and the
    # update joins the alert area.
    alert = '[data-testid="alert"][data-key="status_update:technical-lead"]'
    find(d, "alert-area", timeout=120)
    unfold_alerts(d)
    WebDriverWait(d, 30).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, alert))
    assert find(d, "prompt-technical-lead").get_attribute("data-state") in ("due", "overdue")

    # The alert opens the status form for that position.
    d.find_element(By.CSS_SELECTOR, alert).click()
    assert Select(find(d, "status-position")).first_selected_option.get_attribute("value") == "technical-lead"
    type_into(d, "status-conditions", "PACS-02 isolated; restore from offline backup at 30%")
    type_into(d, "status-actions", "Validating backup integrity")
    click(d, "status-submit")
    WebDriverWait(d, 15).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, tid("prompt-technical-lead")).get_attribute("data-state")
        == "waiting"
    )
    assert not d.find_elements(By.CSS_SELECTOR, alert)

    card = find(d, "prompt-technical-lead")
    card.find_element(By.CSS_SELECTOR, tid("prompt-snooze")).click()
    type_into(d, "snooze-minutes", "5")
    type_into(d, "snooze-reason", "Restore job running; update at completion")
    click(d, "snooze-submit")
    wait_text(d, "prompt-technical-lead", "Restore job running")


def test_a_decision_is_recorded_and_superseded(desktop, shot):
    d = desktop.session
    click(d, "nav-decisions")
    type_into(d, "decision-question", QUESTION)
    # WebKitWebDriver drops "\n" inside send_keys; Enter makes the new line.
    opts = find(d, "decision-options")
    opts.send_keys("Divert", Keys.ENTER, "Do not divert")
    Select(find(d, "decision-choice")).select_by_value("Divert")
    type_into(d, "decision-rationale", "CT unavailable until PACS restore")
    click(d, "decision-submit")
    wait_text(d, "decision-list", "Divert")

    first = find(d, "decision")
    first.find_element(By.CSS_SELECTOR, tid("decision-supersede")).click()
    Select(find(d, "decision-choice")).select_by_value("Do not divert")
    type_into(d, "decision-rationale", "Teleradiology reads within 30 minutes")
    click(d, "decision-submit")
    WebDriverWait(d, 15).until(
        lambda drv: texts(drv, "decision-chosen") == ["Do not divert"]
    )
    click(d, "show-superseded")
    wait_text(d, "superseded-by", "superseded by")
    assert len(d.find_elements(By.CSS_SELECTOR, tid("decision"))) == 2


def test_after_a_restart_everything_is_still_there(desktop, shot):
    desktop.stop()
    time.sleep(1)
    d = desktop.start()
    wait_text(d, "incident-title", TITLE, timeout=30)
    wait_text(d, "current-ic", "Luis Reyes")
    wait_text(d, "row-summary", NOTE)
    search = find(d, "timeline-search")
    search.send_keys("snoozed")
    wait_text(d, "row-summary", "Restore job running")
    click(d, "nav-roster")
    wait_text(d, "roster-technical-lead", "Priya Natarajan")
    click(d, "nav-prompts")
    wait_text(d, "prompt-technical-lead", "Restore job running")
    click(d, "nav-decisions")
    WebDriverWait(d, 15).until(
        lambda drv: texts(drv, "decision-chosen") == ["Do not divert"]
    )
