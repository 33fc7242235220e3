"""The real app at 3 a.m., end to end, at 1366x860 and at the minimum 1024x700: the first launch
asks who is at the laptop, tabs without an incident say what to do, the demo's alert area stays
compact (most late first) and opens what resolves an item, a snoozed update reads "snoozed".

Each step leaves a screenshot at both sizes in $MUSTER_ARTIFACTS (e2e-console-<step>-<w>x<h>.png).
The tests run in order on one data directory (module fixture).
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import artifacts
from test_desktop import click, find, texts, tid, type_into, unfold_alerts, wait_text

SIZES = [(1366, 860), (1024, 700)]


def viewport(d, width: int, height: int):
    """Resizes the window so that the page itself is width x height."""
    d.set_window_size(width, height)
    inner = d.execute_script("return [window.innerWidth, window.innerHeight]")
    d.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    WebDriverWait(d, 5).until(
        lambda drv: drv.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]
    )


def shots(d, step: str, check=None):
    """A screenshot of the window at each size (and `check(d, width, height)` there)."""
    for width, height in SIZES:
        viewport(d, width, height)
        d.execute_script("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        if check:
            check(d, width, height)
        d.save_screenshot(str(artifacts() / f"e2e-console-{step}-{width}x{height}.png"))


def layout(d) -> dict:
    return d.execute_script(
        """
        const area = document.querySelector('[data-testid=alert-area]');
        const row = document.querySelector('[data-testid=timeline-row]');
        return {
          main: document.querySelector('main').getBoundingClientRect().top,
          alerts: area ? area.getBoundingClientRect().height : 0,
          row: row ? row.getBoundingClientRect().bottom : null,
          scroll: document.documentElement.scrollWidth,
          width: window.innerWidth,
        };
        """
    )


def test_the_first_launch_asks_who_is_at_the_laptop(desktop):
    d = desktop.start()
    find(d, "welcome-name", timeout=30)
    assert not d.find_elements(By.CSS_SELECTOR, tid("nav-timeline"))
    shots(d, "welcome")
    click(d, "welcome-start")
    wait_text(d, "welcome-error", "must not be empty")
    type_into(d, "welcome-name", "Dr. Luis Reyes")
    click(d, "welcome-start")
    wait_text(d, "operator", "Dr. Luis Reyes")


def test_a_tab_without_an_incident_says_what_to_do(desktop):
    d = desktop.session
    click(d, "nav-timeline")
    wait_text(d, "no-incident-screen", "load the demo incident")
    shots(d, "no-incident")


def test_the_demo_alert_area_is_compact_most_late_first(desktop):
    d = desktop.session
    click(d, "no-incident-demo")
    find(d, "timeline-row", timeout=30)
    unfold_alerts(d)

    def check(drv, width, height):
        m = layout(drv)
        print(f"{width}x{height}: work area at {m['main']:.0f} px, alerts {m['alerts']:.0f} px, "
              f"first row ends {m['row']:.0f} px")
        assert m["alerts"] <= 0.15 * height + 1, m
        assert m["row"] is not None and m["row"] <= height, m
        assert m["scroll"] <= m["width"], m

    shots(d, "alerts", check)
    first = texts(d, "alert")[0]
    assert "late" in first, first


def test_an_alert_opens_what_resolves_it(desktop):
    d = desktop.session
    d.find_element(By.CSS_SELECTOR, '[data-testid="alert"][data-key="escalation_step:clinical-leadership"]').click()
    WebDriverWait(d, 15).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, tid("step-clinical-leadership")).get_attribute("data-revealed")
        is not None
    )
    shots(d, "alert-opens-breach")
    d.find_element(By.CSS_SELECTOR, '[data-testid="alert"][data-key="status_update:scribe"]').click()
    assert Select(find(d, "status-position")).first_selected_option.get_attribute("value") == "scribe"
    shots(d, "alert-opens-status-form")
    d.find_element(By.CSS_SELECTOR, "body").send_keys("\ue00c")  # Escape


def test_a_snoozed_update_reads_snoozed_not_on_time(desktop):
    d = desktop.session
    click(d, "nav-prompts")
    card = find(d, "prompt-scribe")
    card.find_element(By.CSS_SELECTOR, tid("prompt-snooze")).click()
    type_into(d, "snooze-minutes", "30")
    type_into(d, "snooze-reason", "Scribe relieved for a break; update at the top of the hour")
    click(d, "snooze-submit")
    WebDriverWait(d, 15).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, tid("prompt-scribe")).get_attribute("data-state") == "snoozed"
    )
    wait_text(d, "prompt-scribe", "snoozed until")

    def into_view(drv, _w, _h):
        drv.execute_script(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", tid("prompt-scribe")
        )

    shots(d, "snoozed", into_view)


def test_the_alert_area_folds_and_the_acting_dialog(desktop):
    d = desktop.session
    click(d, "nav-timeline")
    click(d, "alerts-toggle")
    WebDriverWait(d, 5).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, tid("alert-area")).get_attribute("data-collapsed") == "true"
    )
    shots(d, "alerts-folded")
    click(d, "alerts-toggle")  # folding is remembered: leave it open for the next tests
    click(d, "operator")
    find(d, "acting-dialog")
    shots(d, "acting-dialog")
