//! The obligations' due instants as an iCalendar (RFC 5545) file, for people's own calendars.

use chrono::{DateTime, Utc};

use super::Obligation;

/// The obligations as an iCalendar (RFC 5545) file: one all-day-free VEVENT per due instant,
/// with an alarm a day before. Obligations without a due instant are left out.
pub fn to_ical(
    obligations: &[Obligation],
    incident_title: &str,
    incident: &str,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(&fold_ical_line(s));
        out.push_str("\r\n");
    };
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Muster//Regulatory clocks//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", ical_text(&format!("Muster deadlines: {incident_title}"))));
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for o in obligations {
        let Some(due) = o.due else { continue };
        let at = due.format("%Y%m%dT%H%M%SZ").to_string();
        line("BEGIN:VEVENT");
        line(&format!("UID:{}-{}@muster", incident, o.rule));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{at}"));
        line(&format!("DTEND:{at}"));
        line(&format!(
            "SUMMARY:{}",
            ical_text(&format!("{} due: notify {} ({})", o.rule, o.recipient, o.status.as_str()))
        ));
        let mut description = format!(
            "{} - {}. Owed by: {}. Period: {} from {}. Status: {}.",
            o.regime,
            o.citation,
            o.owed_by.label(),
            o.deadline,
            o.after.clone().unwrap_or_else(|| o.trigger.slug().to_string()),
            o.status.as_str()
        );
        if o.provisional {
            description.push_str(" Provisional: counted from the due date of the obligation it follows.");
        }
        line(&format!("DESCRIPTION:{}", ical_text(&description)));
        line(&format!("CATEGORIES:{}", ical_text(&o.regime)));
        line("BEGIN:VALARM");
        line("ACTION:DISPLAY");
        line(&format!("DESCRIPTION:{}", ical_text(&format!("{} due in 24 hours", o.rule))));
        line("TRIGGER:-PT24H");
        line("END:VALARM");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// RFC 5545 TEXT escaping.
fn ical_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// RFC 5545 folds content lines longer than 75 octets, never inside a UTF-8 sequence.
fn fold_ical_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 70 * 3);
    let mut width = 0;
    for c in s.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}
