import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelsBody } from '../../api/_lib/config/models-endpoint.js';
import type { StreamRequest } from '../../widget/shared/protocol.js';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';
import { ChatDriver } from './support/chat-driver.js';
import { openPage, startDemoSession, type DemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamRequests } from './support/upstream-watch.js';

// The demo page's model picker, end to end: the list comes from the server's models
// endpoint, and the alias picked reaches the server and, mapped, the local upstream.
// Two demo servers share one Chromium: npm start's configuration, whatever aliases it
// holds, and one with an operator's list whose upstream names are known.

let session: DemoSession;
let custom: DemoServer;
const opened: OpenedPage[] = [];

/** The operator's list of the second server: aliases unlike the upstream names, the default not first. */
const operatorModels = 'quick=openai:upstream-quick,careful=openai:upstream-careful,third=openai:upstream-third';

beforeAll(async () => {
  session = await startDemoSession();
  custom = await startDemoServer({
    port: 0,
    embedPort: 0,
    upstreamPace: { firstTokenMs: 50, tokensPerSecond: 150 },
    env: { AI_STREAM_RETRY_BASE_MS: '50', AI_STREAM_MODELS: operatorModels, AI_STREAM_DEFAULT_MODEL: 'careful' },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
  await custom?.close();
  await session?.close();
});

interface PickerPage {
  opened: OpenedPage;
  chat: ChatDriver;
  /** The picker, found by its label as a screen reader names it. */
  picker: Locator;
}

async function open(server: DemoServer): Promise<PickerPage> {
  const page = await openPage(session.browser, `${server.url}/`);
  opened.push(page);
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  await chat.recordEvents();
  const picker = page.page.getByRole('combobox', { name: 'Model' });
  await picker.waitFor({ timeout: 10_000 });
  // Enabled once the list has arrived.
  await expect.poll(() => picker.isEnabled(), { timeout: 10_000 }).toBe(true);
  return { opened: page, chat, picker };
}

async function serverModels(server: DemoServer): Promise<ModelsBody> {
  const res = await fetch(`${server.url}/api/chat/stream?models`);
  expect(res.status).toBe(200);
  return (await res.json()) as ModelsBody;
}

function options(picker: Locator): Promise<Array<{ value: string; label: string }>> {
  return picker.evaluate((select: HTMLSelectElement) => [...select.options].map((option) => ({ value: option.value, label: option.text })));
}

function chatModel(chat: ChatDriver): Promise<unknown> {
  return chat.element.evaluate((element) => (element as HTMLElement & { model?: unknown }).model);
}

/** Asks `prompt` and returns the body the page POSTed for it. */
async function askAndCapture(page: Page, chat: ChatDriver, prompt: string): Promise<StreamRequest> {
  const posted = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/chat/stream');
  await chat.ask(prompt);
  return (await posted).postDataJSON() as StreamRequest;
}

/** The `model` the local upstream received for the request whose prompt holds `id`. */
function upstreamModels(upstream: LocalUpstream, id: string): unknown[] {
  return upstreamRequests(upstream, id).map((body) => (body as { model?: unknown }).model);
}

describe('the model picker on the demo page', () => {
  it('lists every alias the server offers, its provider beside it, the default selected', async () => {
    const { opened: page, chat, picker } = await open(session.server);
    const body = await serverModels(session.server);
    const listed = await options(picker);
    expect(listed.map((option) => option.value)).toEqual(body.models.map((model) => model.id));
    for (const [i, model] of body.models.entries()) {
      const label = listed[i]?.label ?? '';
      expect(label).toContain(model.id);
      expect(label).toContain(model.provider);
      expect(label.includes('thinks'), `${model.id} is marked as thinking when it reasons`).toBe(model.reasoning);
    }
    expect(await picker.inputValue()).toBe(body.default);
    expect(await chatModel(chat)).toBe(body.default);
    // The select is described by the hint, so a screen reader hears what "thinks" means.
    expect(await picker.getAttribute('aria-describedby')).toBe('model-hint');
    expect(await page.page.locator('#model-hint').textContent()).toContain('thinks');
    expect(await page.report.cspViolations()).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('follows the server: an operator’s aliases, its default though not first', async () => {
    const { picker } = await open(custom);
    expect(await options(picker)).toEqual([
      { value: 'quick', label: 'quick (openai)' },
      { value: 'careful', label: 'careful (openai)' },
      { value: 'third', label: 'third (openai)' },
    ]);
    expect(await picker.inputValue()).toBe('careful');
  }, 60_000);

  it('an alias picked with the keyboard goes with the next request, and the answer streams', async () => {
    const { opened: page, chat, picker } = await open(custom);
    if (!custom.upstream) throw new Error('the demo server did not start the local upstream');
    await picker.focus();
    await picker.press('ArrowUp');
    expect(await picker.inputValue()).toBe('quick');
    expect(await chatModel(chat)).toBe('quick');

    const first = nonce();
    const sent = await askAndCapture(page.page, chat, `Which model answers ${first} [[length:40]]`);
    expect(sent.model).toBe('quick');
    const done = await chat.waitForEvent('ai-stream-done');
    expect(String(done.detail)).toContain(`Which model answers ${first}`);
    expect(upstreamModels(custom.upstream, first), 'the alias reached the upstream as its model').toEqual(['upstream-quick']);

    // A change mid-conversation applies to the next answer.
    await picker.selectOption('third');
    const second = nonce();
    expect((await askAndCapture(page.page, chat, `And now ${second} [[length:20]]`)).model).toBe('third');
    await chat.waitForEvent('ai-stream-done', 2);
    expect(upstreamModels(custom.upstream, second)).toEqual(['upstream-third']);
    expect(await chat.answers()).toHaveLength(2);
    expect(await page.report.cspViolations()).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('when the list cannot load, says so and leaves the server’s default answering', async () => {
    const page = await openPage(session.browser, 'about:blank');
    opened.push(page);
    // The network fails for the list only: the rest of the page is the real server.
    await page.page.route((url) => url.searchParams.has('models'), (route) => route.abort('connectionrefused'));
    await page.page.goto(`${session.server.url}/`);
    const chat = new ChatDriver(page.page, '#text-chat');
    await chat.input.waitFor();
    await chat.recordEvents();
    const status = page.page.getByRole('status').filter({ hasText: 'model list' });
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/Could not load the model list .*default model answers/);
    const picker = page.page.getByRole('combobox', { name: 'Model' });
    expect(await picker.isDisabled()).toBe(true);
    expect(await chatModel(chat)).toBe('');

    const id = nonce();
    expect((await askAndCapture(page.page, chat, `Default please ${id} [[length:30]]`)).model).toBeUndefined();
    expect(String((await chat.waitForEvent('ai-stream-done')).detail)).toContain(id);
  }, 60_000);

  it('every alias of npm start’s configuration answers through the demo', async () => {
    const { opened: page, chat, picker } = await open(session.server);
    const aliases = (await options(picker)).map((option) => option.value);
    for (const [i, alias] of aliases.entries()) {
      await picker.selectOption(alias);
      const id = nonce();
      expect((await askAndCapture(page.page, chat, `Answer ${id} as ${alias} [[length:40]]`)).model, alias).toBe(alias);
      const done = await chat.waitForEvent('ai-stream-done', i + 1);
      expect(String(done.detail), alias).toContain(id);
      expect(upstreamRequests(session.upstream, id), `${alias} reached the upstream once`).toHaveLength(1);
    }
    expect((await chat.events()).filter((event) => event.type === 'ai-stream-error')).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 120_000);
});
