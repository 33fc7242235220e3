"""The real app, end to end, on what a commander trips over at 3 a.m. (the timeline, the
incident list, the handover briefing and the forms), each screen captured at 1366x860 and at
the minimum 1024x700 (`e2e-<test>-1366x860.png`, `e2e-<test>-1024x700.png`).

The tests run in order on one data directory (module fixture): a fresh installation, then the
demo incident.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import artifacts
from test_desktop import act_as, click, find, first_launch, tid, type_into, wait_text

SIZES = [(1366, 860), (1024, 700)]


def capture(d, name: str):
    """A screenshot of the window at each size (the content area is what the page sees)."""
    for w, h in SIZES:
        d.set_window_size(w, h)
        WebDriverWait(d, 5).until(lambda d: d.execute_script("return window.innerWidth") <= w)
        d.save_screenshot(str(artifacts() / f"e2e-{name}-{w}x{h}.png"))
    d.set_window_size(*SIZES[0])


def top_of(d, name: str) -> float:
    return d.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().bottom", tid(name)
    )


def test_validation_speaks_at_the_field_with_hints_not_data(desktop, shot):
    d = desktop.start()
    # A fresh installation asks who is at the laptop before anything can be written.
    first_launch(d, "Dr. Luis Reyes")
    find(d, "open-incident-form", timeout=30)
    title = find(d, "incident-title-input")
    assert title.get_attribute("value") == ""
    assert title.get_attribute("placeholder").startswith("e.g. ")
    click(d, "open-incident-submit")
    wait_text(d, "error-incident-title-error", "Write a title")
    capture(d, "validation-at-the-field")


def test_the_demo_drill_is_listed_open_and_can_be_closed_and_reopened(desktop, shot):
    d = desktop.session
    click(d, "load-demo")
    wait_text(d, "incident-title", "DEMO")
    click(d, "nav-incidents")
    wait_text(d, "incident-list-caption", "Open incidents and drills")
    wait_text(d, "incident-row", "DRILL")
    click(d, "close-reopen-submit")
    wait_text(d, "error-close-reopen-error", "Write the closing summary")
    capture(d, "incidents-drill-open-close-form")


def test_a_correction_keeps_the_original_and_a_row_opens_in_full(desktop, shot):
    d = desktop.session
    click(d, "nav-timeline")
    d.find_element(By.TAG_NAME, "body").send_keys("n")
    d.switch_to.active_element.send_keys("Courier Zephyr ETA 25 min" + Keys.ENTER)
    wait_text(d, "row-summary", "Courier Zephyr ETA 25 min")
    find(d, "timeline-row").click()
    click(d, "entry-amend")
    text = find(d, "correction-text")
    text.clear()
    text.send_keys("Courier Zephyr ETA 35 min")
    type_into(d, "correction-reason", "dispatch called back")
    click(d, "correction-submit")
    wait_text(d, "row-original", "was: Courier Zephyr ETA 25 min")
    wait_text(d, "entry-original", "Courier Zephyr ETA 25 min")
    wait_text(d, "entry-corrections", "dispatch called back")
    capture(d, "timeline-correction-and-detail-pane")
    d.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(d, 5).until(lambda d: not d.find_elements(By.CSS_SELECTOR, tid("entry-pane")))
    type_into(d, "timeline-search", "zephyr 25 min")
    wait_text(d, "timeline-count", "1 of")
    capture(d, "timeline-search-finds-the-original-words")


def test_the_handover_briefing_lists_what_matters_and_accept_is_in_view(desktop, shot):
    d = desktop.session
    find(d, "timeline-search").clear()
    click(d, "nav-roster")
    wait_text(d, "briefing-decisions", "Divert ambulances")
    wait_text(d, "briefing-systems", "HL7")
    type_into(d, "handover-to", "Dr. Amara Okafor")
    type_into(d, "handover-situation", "PACS-01 read-only; HL7 engine isolated")
    type_into(d, "handover-objectives", "Restore HL7 feeds; review the diversion")
    click(d, "handover-offer")
    act_as(d, "Dr. Amara Okafor")
    find(d, "handover-accept")
    wait_text(d, "handover-briefing", "Isolate the PACS VLAN")
    capture(d, "handover-briefing-accept")
    d.set_window_size(1024, 700)
    WebDriverWait(d, 5).until(lambda d: d.execute_script("return window.innerWidth") <= 1024)
    inner = d.execute_script("return window.innerHeight")
    bottom = top_of(d, "handover-accept")
    print(f"at 1024x700: Accept's bottom edge at {bottom}px of a {inner}px-high page")
    assert bottom <= inner, f"Accept at {bottom}px, below the {inner}px page"
    d.set_window_size(*SIZES[0])
