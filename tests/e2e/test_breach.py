"""The real app, end to end, on the breach screens: scope and regulatory clocks, then a clinical
liaison signing off the isolation of a system that takes down medication and diagnostics, and a
restart that finds it all still there.

The tests run in order on one data directory (module fixture), as one war room's session would.
"""
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_desktop import act_as, click, first_launch, find, texts, tid, type_into, wait_text

REGISTER = (Path(__file__).resolve().parents[2] / "assets" / "demo" / "systems.csv").read_text()
TITLE = "E2E: lateral movement to the interface engine"


def attr(d, name: str, attribute: str) -> str:
    return d.find_element(By.CSS_SELECTOR, tid(name)).get_attribute(attribute)


def set_value(d, name: str, text: str):
    """Sets a text field's value through the DOM: WebKitWebDriver drops newlines in send_keys."""
    d.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', { bubbles: true }));",
        tid(name),
        text,
    )


def record_phi_exfiltration_scope(d, jurisdiction: str, individuals: int, role: str):
    """On the breach screen: clinical PHI, exfiltration confirmed, one jurisdiction, one role."""
    click(d, "nav-breach")
    find(d, "scope-form")
    type_into(d, "scope-jurisdiction-0", jurisdiction)
    type_into(d, "scope-individuals-0", str(individuals))
    click(d, "scope-data-clinical-phi")
    click(d, "scope-exposure-exfiltration-confirmed")
    click(d, f"scope-role-{role}")
    click(d, "scope-save")
    wait_text(d, "scope-summary", f"{jurisdiction} {individuals}")


def test_scope_and_a_trigger_start_the_regulatory_clocks(desktop, shot):
    d = desktop.start()
    first_launch(d, "Amara Okafor")
    find(d, "open-incident-form")
    type_into(d, "incident-title-input", TITLE)
    Select(find(d, "incident-severity")).select_by_value("sev2")
    click(d, "open-incident-submit")
    wait_text(d, "incident-title", TITLE)

    record_phi_exfiltration_scope(d, "US-TX", 800, "covered-entity")
    # The matrix's verdict with the rules that fired.
    wait_text(d, "preview", "phi-exfiltration-500")
    wait_text(d, "preview-severity", "SEV1")

    Select(find(d, "trigger-kind")).select_by_value("discovery")
    type_into(d, "trigger-at-input", "2026-11-02 09:30")
    click(d, "trigger-submit")
    wait_text(d, "triggers", "2026-11-02 09:30")
    # HIPAA: 60 calendar days from discovery; the row names the section and shows UTC.
    wait_text(d, "obligation-hipaa.hhs", "45 CFR 164.408(b)")
    wait_text(d, "obligation-hipaa.hhs", "2027-01-01")
    wait_text(d, "obligation-hipaa.hhs", "UTC")
    wait_text(d, "obligation-us-tx.attorney-general", "Tex. Bus. & Com. Code 521.053(i)")
    assert attr(d, "obligation-hipaa.hhs", "data-status") == "pending"


def test_a_clinical_liaison_signs_off_an_isolation(desktop, shot):
    d = desktop.session
    # The clinical liaison is on the roster.
    click(d, "nav-roster")
    Select(find(d, "assign-position")).select_by_value("clinical-liaison")
    type_into(d, "assign-person", "Dr. Marcus Webb")
    click(d, "assign-submit")
    wait_text(d, "roster-clinical-liaison", "Dr. Marcus Webb")

    click(d, "nav-systems")
    find(d, "register-import")
    click(d, "register-paste-toggle")
    type_into(d, "register-paste-name", "systems.csv")
    set_value(d, "register-paste", REGISTER)
    click(d, "register-paste-submit")
    find(d, "hics251")
    wait_text(d, "system-hl7-engine", "Fully functional")

    # Proposing to isolate the interface engine shows what goes down with it.
    d.find_element(By.CSS_SELECTOR, f'{tid("system-hl7-engine")} {tid("system-select")}').click()
    wait_text(d, "impact", "pharmacy")
    wait_text(d, "impact", "hl7-engine")
    wait_text(d, "signoff-required", "Clinical liaison sign-off required")
    type_into(d, "propose-reason", "Lateral movement from PACS-02 to the interface engine")
    click(d, "propose-submit")
    wait_text(d, "proposals", "hl7-engine")

    # Without the sign-off carrying out is disabled, with the reason next to it.
    assert find(d, "carry-out").get_attribute("disabled") is not None
    wait_text(d, "carry-out-blocked", "needs the clinical liaison's sign-off first")
    assert attr(d, "system-hl7-engine", "data-isolated") == "false"

    # The clinical liaison signs off; then the isolation is carried out.
    act_as(d, "Dr. Marcus Webb")
    type_into(d, "signoff-note", "Lab and pharmacy on downtime procedures; runners every 30 min")
    click(d, "signoff-approve")
    wait_text(d, "confirm-acting-who", "You are signing as Dr. Marcus Webb, Clinical Liaison")
    click(d, "confirm-acting-ok")
    wait_text(d, "signoff-state", "signed off")
    act_as(d, "Amara Okafor")
    click(d, "carry-out")
    WebDriverWait(d, 15).until(lambda drv: attr(drv, "system-hl7-engine", "data-isolated") == "true")
    wait_text(d, "system-hl7-engine", "Non-functional")
    wait_text(d, "system-pharmacy", "it needs hl7-engine, which is isolated")

    # The register saved back to a file: where the app says, the same systems as imported.
    click(d, "export-systems-csv")
    wait_text(d, "export-systems-csv-saved", "Saved 14 systems to ")
    saved_to = texts(d, "export-systems-csv-saved")[0].split(" to ", 1)[1].strip()
    exported = Path(saved_to).read_text()
    assert exported.splitlines()[0] == REGISTER.splitlines()[0]
    assert sorted(l.split(",")[0] for l in exported.splitlines()[1:]) == sorted(
        l.split(",")[0] for l in REGISTER.strip().splitlines()[1:]
    )

    # The timeline holds the signed entries.
    click(d, "nav-timeline")
    wait_text(d, "row-summary", "Clinical sign-off")
    wait_text(d, "row-summary", "hl7-engine isolated")


def test_after_a_restart_the_clocks_and_the_board_come_back_from_the_log(desktop, shot):
    desktop.stop()
    d = desktop.start()
    find(d, "incident-title", timeout=30)
    wait_text(d, "incident-title", TITLE)
    click(d, "nav-systems")
    WebDriverWait(d, 20).until(lambda drv: attr(drv, "system-hl7-engine", "data-isolated") == "true")
    wait_text(d, "signoff-state", "Dr. Marcus Webb")
    click(d, "nav-breach")
    wait_text(d, "obligation-hipaa.hhs", "2027-01-01")
    assert any("US-TX 800" in t for t in texts(d, "scope-summary"))


def test_a_deadline_due_within_the_hour_is_announced_in_the_window(desktop, shot):
    """The scheduler's reminder: a GDPR 72-hour clock started 71.5 hours ago is due within the
    hour, so the window says so (the OS notification is sent too; Xvfb has no daemon to show it)."""
    from datetime import datetime, timedelta, timezone

    d = desktop.session
    click(d, "nav-incidents")
    find(d, "open-incident-form")
    type_into(d, "incident-title-input", "E2E: patient portal credential stuffing, EU patients")
    click(d, "open-incident-submit")
    wait_text(d, "incident-title", "credential stuffing")
    record_phi_exfiltration_scope(d, "DE", 40, "controller")
    # The viewer's zone in these tests is UTC.
    aware = datetime.now(timezone.utc) - timedelta(hours=71, minutes=30)
    Select(find(d, "trigger-kind")).select_by_value("awareness")
    type_into(d, "trigger-at-input", aware.strftime("%Y-%m-%d %H:%M"))
    click(d, "trigger-submit")
    wait_text(d, "toast-prompt", "Due within the hour: notify", timeout=20)
    wait_text(d, "toast-prompt", "(gdpr.authority)")
    assert attr(d, "obligation-gdpr.authority", "data-status") == "pending"
