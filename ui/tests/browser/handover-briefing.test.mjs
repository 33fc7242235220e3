// The handover briefing (HICS 201) on the demo incident: the decisions in force (not only those
// awaiting approval), the isolated systems, the next deadlines, the overdue updates and the
// roster, previewed before the offer and carried by it; Accept is in view at 1024×700.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectText, useBrowser, withApp } from './helpers.mjs';

useBrowser();

const IC = 'Dr. Luis Reyes';
const INCOMING = 'Dr. Amara Okafor';

async function actAs(byTestId, name) {
  await byTestId('operator').click();
  await byTestId('operator-input').fill(name);
  await byTestId('operator-save').click();
  await expectText(byTestId('operator'), `Acting as ${name}`);
}

test(
  'the demo briefing lists both decisions in force, the isolated systems and deadlines; Accept is in view',
  withApp(
    {
      operator: IC,
      viewport: { width: 1024, height: 700 },
      prepare: (session) => session.invoke('load_demo').then(() => {}),
    },
    async ({ byTestId }) => {
      await byTestId('nav-roster').click();
      const preview = byTestId('handover-preview');
      const decisions = preview.getByTestId('briefing-decisions');
      await expectText(decisions, /Isolate the PACS VLAN and the HL7 interface engine/);
      await expectText(decisions, /Divert ambulances for stroke and trauma/);
      assert.doesNotMatch(await decisions.innerText(), /None/);
      await expectText(preview.getByTestId('briefing-systems'), /HL7/);
      assert.doesNotMatch(
        await preview.getByTestId('briefing-deadlines').innerText(),
        /No regulatory deadline/,
      );
      await expectText(preview.getByTestId('briefing-roster'), new RegExp(`Incident Commander: ${IC}`));

      await byTestId('handover-to').fill(INCOMING);
      await byTestId('handover-situation').fill('PACS-01 read-only; HL7 engine isolated');
      await byTestId('handover-objectives').fill('Restore HL7 feeds; keep the diversion under review');
      await byTestId('handover-offer').click();
      await actAs(byTestId, INCOMING);

      const briefing = byTestId('handover-briefing');
      await expectText(briefing.getByTestId('briefing-decisions'), /Divert ambulances/);
      await expectText(briefing, /Situation PACS-01 read-only; HL7 engine isolated/i);
      // Accept (and Decline) are on screen without scrolling, above the briefing's detail.
      const accept = byTestId('handover-accept');
      await accept.waitFor();
      const box = await accept.boundingBox();
      assert.ok(
        box && box.y >= 0 && box.y + box.height <= 700,
        `Accept at ${JSON.stringify(box)} in 1024×700`,
      );
      const decisionsBox = await briefing.getByTestId('briefing-decisions').boundingBox();
      assert.ok(decisionsBox && box.y < decisionsBox.y, 'Accept comes before the briefing detail');
      await accept.click();
      // Accepting command is signed as a position: the incoming commander confirms it is them.
      await expectText(
        byTestId('confirm-acting-who'),
        `You are signing as ${INCOMING}, Incident Commander — confirm`,
      );
      await byTestId('confirm-acting-ok').click();
      await expectText(byTestId('current-ic'), `IC: ${INCOMING}`);
    },
  ),
);
