"""The real app on the demo incident, at the two window sizes a war room has (1366x860 and the
minimum 1024x700): the wallboard fits one screen, the HICS 251 board reads first and its
editor's Rate button can be clicked, and the Breach screen opens on its most urgent clock with
the scope folded. Each test leaves a screenshot per size in $MUSTER_ARTIFACTS
(e2e-boards-<screen>-<width>x<height>.png) and prints what it measured.

The tests run in order on one data directory (module fixture).
"""
from datetime import datetime, timedelta, timezone

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import artifacts
from test_desktop import click, find, first_launch_with_demo, texts, tid, type_into, wait_text

SIZES = [(1366, 860), (1024, 700)]


def resize(d, width: int, height: int):
    """Sets the page's viewport (not the outer window) to width x height."""
    d.set_window_size(width, height)
    inner = d.execute_script("return [window.innerWidth, window.innerHeight]")
    d.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
    WebDriverWait(d, 5).until(
        lambda drv: drv.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]
    )


def save(d, name: str, width: int, height: int):
    d.save_screenshot(str(artifacts() / f"e2e-boards-{name}-{width}x{height}.png"))


def no_scroll(d) -> list:
    return d.execute_script(
        "const r = document.documentElement;"
        "return [r.scrollWidth, r.scrollHeight, window.innerWidth, window.innerHeight]"
    )


def test_load_the_demo(desktop, shot):
    d = desktop.start()
    # A fresh installation asks who is at the laptop first; the demo can be started from there.
    first_launch_with_demo(d, "Dr. Luis Reyes")


@pytest.mark.parametrize("width,height", SIZES)
def test_the_wallboard_fits_one_screen(desktop, shot, width, height):
    d = desktop.session
    resize(d, width, height)
    click(d, "nav-timeline")
    d.find_element(By.TAG_NAME, "body").send_keys("w")
    find(d, "wallboard")
    wait_text(d, "wallboard-isolated", "HL7 interface engine")
    wait_text(d, "wallboard-zone", "UTC")
    sw, sh, w, h = no_scroll(d)
    assert sw <= w and sh <= h, f"the wallboard page is {sw}x{sh} in a {w}x{h} window"
    boxes = d.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid^=\"wallboard-panel-\"]'))"
        ".map(p => { const r = p.getBoundingClientRect(); return [p.dataset.testid, r.right, r.bottom]; })"
    )
    assert len(boxes) == 5
    for name, right, bottom in boxes:
        assert right <= w + 0.5 and bottom <= h + 0.5, f"{name} ends at {right}x{bottom}"
    print(f"wallboard {width}x{height}: page {sw}x{sh}; panels {boxes}")
    save(d, "wallboard", width, height)
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


@pytest.mark.parametrize("width,height", SIZES)
def test_the_systems_board_reads_first_and_rate_can_be_clicked(desktop, shot, width, height):
    d = desktop.session
    resize(d, width, height)
    click(d, "nav-systems")
    find(d, "hics251")
    rows = d.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"hics251\"] tbody tr'))"
        ".map(r => r.dataset.testid)"
    )
    assert rows[0] == "system-hl7-engine", rows
    assert not d.find_elements(By.CSS_SELECTOR, tid("rate-form")), "no line is a form until chosen"
    wait_text(d, "system-pharmacy", "Derived, not rated")
    d.find_element(By.CSS_SELECTOR, f'{tid("system-pacs")} {tid("system-select")}').click()
    find(d, "system-editor-pacs")
    wait_text(d, "impact-system", "pacs")
    rate = d.find_element(By.CSS_SELECTOR, f'{tid("system-editor-pacs")} {tid("rate-submit")}')
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", rate)
    on_top = d.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.dataset.testid",
        rate,
    )
    assert on_top == "rate-submit", f"the Rate button is covered by {on_top}"
    board_top = d.execute_script(
        f"return document.querySelector('{tid('hics251')}').getBoundingClientRect().top + window.scrollY"
    )
    sw, _, w, _ = no_scroll(d)
    assert sw <= w, f"the systems screen is {sw} px wide in a {w} px window"
    print(f"systems {width}x{height}: board starts {board_top} px down; rows {rows[:4]}...")
    save(d, "systems", width, height)
    click(d, "rate-cancel")


@pytest.mark.parametrize("width,height", SIZES)
def test_the_breach_screen_opens_on_its_most_urgent_clock(desktop, shot, width, height):
    d = desktop.session
    resize(d, width, height)
    click(d, "nav-breach")
    find(d, "obligations-panel")
    if not texts(d, "trigger-choice"):
        # A second discovery time, earlier than the demo's: the clocks run from the earliest.
        Select(find(d, "trigger-kind")).select_by_value("discovery")
        earlier = datetime.now(timezone.utc) - timedelta(days=6)
        type_into(d, "trigger-at-input", earlier.strftime("%Y-%m-%d %H:%M"))
        type_into(d, "trigger-note", "Vendor email found later")
        click(d, "trigger-submit")
        wait_text(d, "trigger-choice", "The clocks run from this one")
    # Back to the top of the work area (recording the trigger scrolled it to the form).
    d.execute_script(f"document.querySelector('{tid('breach')}').scrollIntoView({{block: 'start'}})")
    assert not d.find_elements(By.CSS_SELECTOR, tid("scope-form")), "the scope is folded once set"
    find(d, "scope-edit")
    # The clocks are the first thing of the work area (the header and the alert banners above it
    # belong to the whole app), and the most urgent one is on the first screenful.
    work, top, row = d.execute_script(
        f"return [document.querySelector('{tid('breach')}').getBoundingClientRect().top,"
        f" document.querySelector('{tid('obligations-panel')}').getBoundingClientRect().top,"
        " document.querySelector('tr.obligation').getBoundingClientRect().top]"
    )
    assert top - work < 5, f"the work area starts {work} px down, the clocks {top} px"
    assert row < height, f"the first clock starts {row} px down in a {height} px window"
    first = d.find_element(By.CSS_SELECTOR, "tr.obligation")
    recipient = first.find_element(By.CSS_SELECTOR, tid("obligation-recipient")).text
    rule = first.find_element(By.CSS_SELECTOR, tid("obligation-rule")).text
    wait_text(d, "obligation-trigger-choice", "discovery times recorded: when people record the same moment")
    sw, _, w, _ = no_scroll(d)
    assert sw <= w, f"the breach screen is {sw} px wide in a {w} px window"
    print(f"breach {width}x{height}: work area {work} px, clocks {top} px, first row {row} px down; first: {recipient} ({rule})")
    save(d, "breach", width, height)
