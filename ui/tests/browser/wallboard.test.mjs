// The wallboard: the war room's wall screen. On the demo incident it fits one screen at
// 1280×720, 1920×1080 and the minimum 1024×700 with no scrolling either way, every panel
// inside the screen and every entry whole (long ones wrap, none is cut with an ellipsis); it
// shows a large wall clock with its zone, the next regulatory deadline (authority first), the
// isolated systems by name, the standing decisions and the status updates most overdue first.
// A list longer than its panel shows the entries that fit and counts the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, expectCount, expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const LONG_NOTE =
  'Radiology reports that the overnight CT and MRI studies for the emergency department are read at ' +
  'the modality consoles and urgent findings are phoned through; priors stay held until the integration ' +
  'team has reconciled the queued HL7 messages';

/**
 * The demo incident (a ransomware attack on PACS and the HL7 engine), plus a long decision and
 * a long note written now, so that entries that need several lines are on the board.
 * @param {import('./bridge.mjs').Session} session
 */
async function demoWithLongEntries(session) {
  const { incident } = await session.invoke('load_demo');
  await session.invoke('record_decision', {
    incident_ref: incident,
    input: {
      question:
        'Keep the interface engine offline through the morning lab draw, with paper requisitions and runners?',
      options: ['Keep it offline', 'Restore it now'],
      choice: 'Keep it offline',
      rationale: 'Forensics have not cleared the engine host',
      authority: null,
      supersedes: null,
      approvals_required: [],
    },
  });
  await session.invoke('add_note', { input: { incident, text: LONG_NOTE, occurred_at: null } });
}

/**
 * What a person would see go wrong on a wall screen: the page scrolls, a panel sticks out of
 * the screen, an entry is cut at the bottom of its panel or sideways, or text ends in "…".
 * @param {import('playwright-core').Page} page
 */
function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const w = window.innerWidth;
    const h = window.innerHeight;
    const root = document.documentElement;
    if (root.scrollWidth > w) problems.push(`the page is ${root.scrollWidth} px wide in a ${w} px window`);
    if (root.scrollHeight > h) problems.push(`the page is ${root.scrollHeight} px high in a ${h} px window`);
    const inside = (r, box) =>
      r.left >= box.left - 0.5 &&
      r.top >= box.top - 0.5 &&
      r.right <= box.right + 0.5 &&
      r.bottom <= box.bottom + 0.5;
    const screen = { left: 0, top: 0, right: w, bottom: h };
    /** On screen at all (an entry left out is not displayed). */
    const shown = (el) => el.getClientRects().length > 0;
    const wall = document.querySelector('[data-testid="wallboard"]');
    if (!wall) return ['no wallboard'];
    for (const id of ['wallboard-clock', 'wallboard-title', 'wallboard-ic']) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el || !inside(el.getBoundingClientRect(), screen)) problems.push(`${id} is not inside the screen`);
    }
    for (const panel of document.querySelectorAll('[data-testid^="wallboard-panel-"]')) {
      const box = panel.getBoundingClientRect();
      const name = panel.getAttribute('data-testid');
      if (!inside(box, screen)) problems.push(`${name} is not inside the screen`);
      const items = [...panel.querySelectorAll('li')];
      if (items.length > 0 && !items.some(shown)) problems.push(`${name} shows none of its entries`);
      for (const item of panel.querySelectorAll('li, h2, h3, .next')) {
        if (!shown(item)) continue;
        // Inside the panel, and inside the list that clips it.
        const r = item.getBoundingClientRect();
        const list = item.closest('ul')?.getBoundingClientRect() ?? box;
        if (!inside(r, box) || !inside(r, list))
          problems.push(`${name}: "${item.textContent?.trim().slice(0, 40)}" is cut`);
      }
    }
    for (const el of wall.querySelectorAll('*')) {
      if (!shown(el)) continue;
      const style = getComputedStyle(el);
      if (style.textOverflow === 'ellipsis')
        problems.push(`"${el.textContent?.slice(0, 40)}" ends in an ellipsis`);
      if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible')
        problems.push(`"${el.textContent?.trim().slice(0, 40)}" is cut sideways`);
    }
    return problems;
  });
}

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 1024, height: 700 },
]) {
  test(
    `the demo's wallboard fits ${viewport.width}×${viewport.height}: clock, next deadline, isolated systems, decisions, updates`,
    withApp(
      { viewport, now: Date.now(), prepare: demoWithLongEntries },
      async ({ page, byTestId, invoke }) => {
        await byTestId('nav-timeline').waitFor();
        await page.keyboard.press('w');
        await byTestId('wallboard').waitFor();
        await expectText(byTestId('wallboard-title'), /^DEMO - Ransomware: PACS imaging .* — DRILL$/);

        assert.deepEqual(await layoutProblems(page), []);

        // The wall clock: large, in the viewer's zone, named, and ticking.
        const time = byTestId('wallboard-time');
        const first = await expectText(time, /^\d\d:\d\d:\d\d$/);
        await expectText(byTestId('wallboard-zone'), 'UTC');
        await eventually(async () => assert.notEqual((await time.innerText()).trim(), first), {
          timeout: 3000,
        });
        const clockSize = await time.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
        assert.ok(clockSize >= 0.06 * viewport.height, `the clock is ${clockSize} px high`);

        // The next regulatory deadline, the authority's name first and the rule id after it: the
        // first of the backend's open deadlines, soonest first.
        const demo = (await invoke('app_info')).current_incident;
        const { deadlines, isolated } = await invoke('incident_board', { incident_ref: demo });
        assert.ok(deadlines.length > 1, 'the demo has open deadlines');
        const next = byTestId('wallboard-deadline').first();
        await expectText(next.getByTestId('deadline-recipient'), deadlines[0].recipient);
        await expectText(next.getByTestId('deadline-rule'), deadlines[0].rule);
        const order = await next.evaluate((e) => {
          const recipient = e.querySelector('[data-testid="deadline-recipient"]');
          const rule = e.querySelector('[data-testid="deadline-rule"]');
          return recipient && rule ? recipient.compareDocumentPosition(rule) : 0;
        });
        assert.ok(order & 4, 'the authority comes before the rule id');
        await expectText(next.getByTestId('deadline-countdown'), /^in \d+ d \d\d h \d\d m$/);

        // The isolated interface engine, by name.
        assert.deepEqual(
          isolated.map((/** @type {{ system: string }} */ s) => s.system),
          ['hl7-engine'],
        );
        await expectText(byTestId('wallboard-isolated'), /^HL7 interface engine hl7-engine · since .* UTC$/);

        // Decisions: the long one wraps onto several lines rather than widening the page.
        const decision = byTestId('wallboard-decision').filter({
          hasText: 'Keep the interface engine offline',
        });
        await expectText(decision, /→ Keep it offline$/);
        const lines = await decision.evaluate(
          (e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight),
        );
        assert.ok(lines > 1.5, `the long decision takes ${lines} lines`);

        // The latest entries: the long note, whole, on several lines.
        const note = byTestId('wallboard-entry').filter({
          hasText: 'Radiology reports that the overnight CT',
        });
        await expectText(note, /^\d\d:\d\d Radiology reports .* reconciled the queued HL7 messages$/);
        const noteLines = await note.evaluate(
          (e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight),
        );
        assert.ok(noteLines > 1.5, `the long note takes ${noteLines} lines`);

        // Status updates, the most overdue first.
        const states = await byTestId('wallboard-prompt').evaluateAll((ps) =>
          ps.map((p) => p.getAttribute('data-state')),
        );
        const rank = { overdue: 0, due: 1, waiting: 2 };
        assert.ok(states.length > 0);
        assert.deepEqual(
          states,
          [...states].sort((a, b) => rank[a] - rank[b]),
          'overdue updates come first',
        );
      },
    ),
  );
}

test(
  'a list longer than its panel shows the entries that fit whole and counts the others',
  withApp(
    {
      viewport: { width: 1280, height: 720 },
      seed: {
        incidents: [
          {
            title: 'Phishing wave against nursing accounts',
            severity: 'sev2',
            openedMinutesAgo: 90,
          },
        ],
      },
      prepare: async (session, [incident]) => {
        for (let i = 0; i < 14; i++) {
          await session.invoke('record_decision', {
            incident_ref: incident,
            input: {
              question: `Decision ${i + 1}: reset the passwords of every nursing account on ward ${i + 1} before the shift change?`,
              options: ['Reset now', 'Wait'],
              choice: 'Reset now',
              rationale: 'Credentials harvested',
              authority: null,
              supersedes: null,
              approvals_required: [],
            },
          });
        }
      },
    },
    async ({ page, byTestId }) => {
      await byTestId('nav-timeline').waitFor();
      await page.keyboard.press('w');
      await byTestId('wallboard').waitFor();
      assert.deepEqual(await layoutProblems(page), []);
      const decisions = byTestId('wallboard-decision');
      await expectCount(decisions, 14);
      const shown = await eventually(async () => {
        const n = await decisions.evaluateAll((ds) => ds.filter((d) => d.getClientRects().length > 0).length);
        assert.ok(n > 0 && n < 14, `${n} of 14 decisions shown`);
        return n;
      });
      // Newest first; the count of the rest is on screen.
      await expectText(decisions.first(), /^Decision 14:/);
      await expectText(byTestId('wallboard-more-decisions'), `+ ${14 - shown} more`);
      assert.ok(await byTestId('wallboard-more-decisions').isVisible());
      // No deadline or isolation in this incident: the panels say so.
      await expectText(byTestId('wallboard-panel-deadlines'), /No notification deadline open\./);
      await expectText(byTestId('wallboard-panel-isolated'), /None isolated\./);
      // Esc leaves it; w brings it back.
      await page.keyboard.press('Escape');
      await expectCount(byTestId('wallboard'), 0);
      await page.keyboard.press('w');
      await byTestId('wallboard').waitFor();
    },
  ),
);
