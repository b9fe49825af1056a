import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDriver } from './support/chat-driver.js';
import { openPage, startDemoSession, type DemoSession } from './support/demo-session.js';
import { nonce, upstreamRequests } from './support/upstream-watch.js';

// The JSON chat of the demo page: its schema comes from demo.js (an external script,
// as the page's CSP requires), and its value must be visible while it is incomplete.

let session: DemoSession;

beforeAll(async () => {
  session = await startDemoSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

describe('the JSON chat on the demo page', () => {
  it('shows the value growing while it streams, then the complete value', async () => {
    const { page, report, close } = await openPage(session.browser, `${session.server.url}/`);
    const chat = new ChatDriver(page, '#json-chat');
    await chat.input.waitFor();
    await chat.recordEvents();
    await chat.samplePaints();
    const id = nonce();
    await chat.ask(`A weekend in Lisbon ${id} [[pace:100,40]]`);
    await chat.waitForEvent('ai-stream-done', 1, 30_000);

    // The schema set by demo.js reached the model as a structured-output request.
    const [request] = upstreamRequests(session.upstream, id);
    expect(JSON.stringify(request)).toContain('budgetEuros');

    const painted = await chat.paintedLengths();
    expect(painted.length, `distinct JSON views painted: ${painted.join(',')}`).toBeGreaterThanOrEqual(5);

    const jsonEvents = (await chat.events()).filter((event) => event.type === 'ai-stream-json');
    expect(jsonEvents.length).toBeGreaterThanOrEqual(5);
    const sizes = jsonEvents.map((event) => JSON.stringify(event.detail ?? null).length);
    expect(new Set(sizes).size, 'the partial value changes as it grows').toBeGreaterThanOrEqual(5);
    expect(jsonEvents.some((event) => !event.complete && typeof event.detail === 'object' && event.detail !== null)).toBe(true);
    const last = jsonEvents.at(-1);
    expect(last?.complete).toBe(true);
    expect(Object.keys(last?.detail as Record<string, unknown>).sort()).toEqual(['budgetEuros', 'days', 'destination', 'plan']);

    // On screen: the tree reads as the final value, with no "still coming" marks left.
    const shown = await chat.part('json').last().textContent();
    expect(JSON.parse(shown ?? '')).toEqual(last?.detail);
    expect(await page.locator('#json-chat .pending').count()).toBe(0);
    expect(await report.cspViolations()).toEqual([]);
    expect(report.errors).toEqual([]);
    await close();
  }, 60_000);
});
