import { waitFor } from '@ticketing/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Client, startSystem } from '../e2e/system-client';
import { launchChromium, screenshot, seriousAccessibilityProblems } from './browser';

/** Long enough to pay by hand in a test, short enough to watch an order expire. */
const EXPIRATION_WINDOW_SECONDS = 20;
const STATE_TIMEOUT_MS = 30_000;

type RunningSystem = Awaited<ReturnType<typeof startSystem>>;

/**
 * The web client in headless Chromium against the whole system (services as processes, the Stripe fake):
 * what a buyer, a seller and an admin see, every page checked by axe-core.
 */
describe('the web client', () => {
  let running: RunningSystem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** What went wrong on each page (script errors, failed or 5xx requests): told when a page does not render. */
  const troubles = new WeakMap<Page, string[]>();

  async function signedIn(name: string, { admin = false } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    const seen: string[] = [];
    troubles.set(page, seen);
    const note = (line: string) => seen.push(`${new Date().toISOString()} ${line}`);
    page.on('pageerror', (error) => note(`script error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && note(`console: ${message.text()}`));
    page.on('requestfailed', (request) => note(`failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on(
      'response',
      (response) => response.status() >= 500 && note(`${response.status()}: ${response.url()}`),
    );
    await page.goto(`${running.system.url}/sign-in`);
    await expectAccessible(page);
    await page.getByLabel('User name').fill(name);
    if (admin) await page.getByLabel(/Admin/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tickets', level: 1 }).waitFor();
    return page;
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
  }

  async function sell(page: Page, title: string, price: string): Promise<void> {
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Price', { exact: true }).fill(price);
    await page.getByRole('button', { name: 'Sell' }).click();
    await page.getByText(`“${title}” is on sale.`).waitFor();
  }

  /** Finds the ticket by searching, reserves it, and lands on the order's page. */
  async function reserve(page: Page, title: string): Promise<string> {
    await page.goto(`${running.system.url}/`);
    await page
      .getByLabel('Search by title')
      .fill(title)
      .catch(async (error: Error) => {
        const shown = (
          await page
            .locator('body')
            .innerText()
            .catch(() => '')
        ).slice(0, 300);
        const seen = (troubles.get(page) ?? []).slice(-20).join('\n');
        throw new Error(
          `${error.message}\nat ${page.url()}, showing: ${shown}\nthe page's troubles:\n${seen}`,
        );
      });
    await page.getByRole('button', { name: `Reserve ${title}` }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Payment' }).waitFor();
    return page.url().split('/').pop() as string;
  }

  async function pay(page: Page, method: RegExp): Promise<void> {
    await page.getByRole('radio', { name: method }).check();
    await page.getByRole('button', { name: /^Pay / }).click();
  }

  /** The order's state badge, as a buyer reads it. */
  const orderState = (page: Page, state: string) =>
    page.getByText('Order:').locator('..').getByText(state, { exact: true });
  const paymentStatus = (page: Page) => page.getByTestId('payment-status');

  /** Whether a page is wider than the screen, which a phone user would have to scroll sideways. */
  const overflowsSideways = (page: Page) =>
    page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth > root.clientWidth;
    });

  /** A page that was never reloaded or navigated away still carries this mark. */
  async function markDocument(page: Page): Promise<void> {
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
  }
  async function stillSameDocument(page: Page): Promise<boolean> {
    return page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument === true);
  }

  beforeAll(async () => {
    running = await startSystem(
      { EXPIRATION_WINDOW_SECONDS: String(EXPIRATION_WINDOW_SECONDS) },
      { client: true },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  let seller: Page;
  let buyer: Page;
  const titles = {
    paid: 'Visa night concert',
    declined: 'Declined-then-retried opera',
    secured: '3-D Secure ballet',
    expired: 'Never-paid matinee',
    polled: 'Polled recital',
  };

  it('lets a seller sign in and sell tickets', async () => {
    seller = await signedIn('seller-sam');
    for (const title of Object.values(titles)) await sell(seller, title, '25.00');
    await seller.getByLabel('Search by title').fill('concert');
    await seller.getByRole('heading', { name: titles.secured }).waitFor({ state: 'detached' });
    await seller.getByRole('heading', { name: titles.paid }).waitFor();
    await expectAccessible(seller);
    await screenshot(seller, 'tickets');
  });

  it('shows a buyer the payment move to paid and the order to complete, live, without a reload', async () => {
    buyer = await signedIn('buyer-bea');
    await reserve(buyer, titles.paid);
    await buyer.getByText(/Pay within \d+:\d\d/).waitFor();
    await orderState(buyer, 'Awaiting payment').waitFor();
    await expectAccessible(buyer);
    await markDocument(buyer);

    await pay(buyer, /Visa: succeeds/);

    await paymentStatus(buyer).getByText('Paid', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await orderState(buyer, 'Complete').waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(await stillSameDocument(buyer)).toBe(true);
    await expectAccessible(buyer);
    await screenshot(buyer, 'order-paid');
  });

  it('shows a decline with its reason, and a retry with another card succeeds', async () => {
    await reserve(buyer, titles.declined);
    await markDocument(buyer);
    await pay(buyer, /insufficient funds/);

    await paymentStatus(buyer).getByText('Declined', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await paymentStatus(buyer)
      .getByText(/insufficient funds/)
      .waitFor();
    await paymentStatus(buyer)
      .getByText(/\(insufficient_funds\)/)
      .waitFor();
    await expectAccessible(buyer);
    await screenshot(buyer, 'order-declined');

    await buyer.getByRole('button', { name: 'Try again' }).click();
    await pay(buyer, /Visa: succeeds/);
    await paymentStatus(buyer).getByText('Paid', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await orderState(buyer, 'Complete').waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(await stillSameDocument(buyer)).toBe(true);
  });

  it('completes a 3-D Secure payment through the challenge', async () => {
    await reserve(buyer, titles.secured);
    await markDocument(buyer);
    await pay(buyer, /3-D Secure/);

    await paymentStatus(buyer)
      .getByText('Authentication required', { exact: true })
      .waitFor({ timeout: STATE_TIMEOUT_MS });
    const challenge = buyer.frameLocator('iframe[title="3-D Secure authentication"]');
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();

    await paymentStatus(buyer).getByText('Paid', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await orderState(buyer, 'Complete').waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(await stillSameDocument(buyer)).toBe(true);
  });

  it('keeps the page current by polling every 5 s while the event streams are unavailable', async () => {
    const page = await signedIn('buyer-without-streams');
    // Reserved through the API (the page's own reserving is the tests' above): this test is about the order page.
    const api = await Client.as(running.system, 'buyer-without-streams');
    const found = await api.get(`/api/tickets?q=${encodeURIComponent(titles.polled)}`).expect(200);
    const order = await api.order(found.body[0].id);
    // A proxy that refuses streams: every EventSource fails, so only the polling fallback can update the page.
    await page.route(/\/events(\?|$)/, (route) => route.abort());
    await page.goto(`${running.system.url}/orders/${order.id}`);
    await page.getByRole('heading', { name: 'Payment' }).waitFor();
    await page.getByText('reconnecting (checking every 5 s)').waitFor({ timeout: STATE_TIMEOUT_MS });
    await markDocument(page);

    await pay(page, /Visa: succeeds/);

    await paymentStatus(page).getByText('Paid', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await orderState(page, 'Complete').waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(await stillSameDocument(page)).toBe(true);
  });

  it('shows an unpaid order expire when its window ends, across a restart of the orders service', async () => {
    const orderId = await reserve(buyer, titles.expired);
    await markDocument(buyer);
    await buyer.getByText('live', { exact: true }).first().waitFor({ timeout: STATE_TIMEOUT_MS });

    // The replica the page streams from goes away; the page must reconnect to the one that replaces it.
    const orders = running.system.services.orders;
    const restarts = orders.restarts;
    orders.kill('SIGKILL');
    await waitFor(() => orders.restarts > restarts, { description: 'the supervisor to restart orders' });
    await orders.waitUntilReady();

    await orderState(buyer, 'Expired').waitFor({ timeout: (EXPIRATION_WINDOW_SECONDS + 30) * 1000 });
    expect(await stillSameDocument(buyer)).toBe(true);
    expect(buyer.url()).toMatch(orderId);
  });

  it('lists the buyer’s orders with their states', async () => {
    await buyer.getByRole('link', { name: 'My orders' }).click();
    await buyer.getByRole('heading', { name: 'My orders' }).waitFor();
    await buyer
      .getByRole('row', { name: new RegExp(titles.expired) })
      .getByText('Expired')
      .waitFor();
    const paid = buyer.getByRole('row', { name: new RegExp(titles.paid) });
    await paid.getByText('Complete').waitFor();
    // No "pay by" time for an order past paying.
    expect(await paid.getByRole('cell').last().textContent()).toBe('—');
    await expectAccessible(buyer);
    await screenshot(buyer, 'my-orders');
  });

  it('fits a phone’s screen', async () => {
    await buyer.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', '/orders']) {
      await buyer.goto(`${running.system.url}${path}`);
      await buyer.getByRole('heading', { level: 1 }).waitFor();
      expect(await overflowsSideways(buyer)).toBe(false);
    }
    await buyer.getByRole('link', { name: titles.declined }).click();
    await paymentStatus(buyer).getByText('Paid', { exact: true }).waitFor();
    expect(await overflowsSideways(buyer)).toBe(false);
    await expectAccessible(buyer);
    await screenshot(buyer, 'phone-order');
    await buyer.setViewportSize({ width: 1280, height: 860 });
  });

  it('gives a non-admin no dashboard', async () => {
    expect(await buyer.getByRole('link', { name: 'Payments dashboard' }).count()).toBe(0);
    await buyer.goto(`${running.system.url}/admin`);
    await buyer.getByRole('heading', { name: 'Not available' }).waitFor();
    await expectAccessible(buyer);
  });

  it('lets an admin find the declined order, see every attempt and refund part of it', async () => {
    const admin = await signedIn('admin-ada', { admin: true });
    await admin.getByRole('link', { name: 'Payments dashboard' }).click();
    await admin.getByRole('heading', { name: 'Payments dashboard' }).waitFor();
    await admin.getByText(/Success rate:/).waitFor();
    await admin.getByLabel('Decline code').fill('insufficient_funds');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/code=insufficient_funds/);
    // Filtered: the successful attempts leave the list, the one decline stays.
    await admin
      .getByRole('row', { name: /succeeded/ })
      .first()
      .waitFor({ state: 'detached' });
    const declinedRow = admin.getByRole('row', { name: /insufficient_funds/ });
    await declinedRow.first().waitFor();
    expect(await declinedRow.count()).toBe(1);
    await expectAccessible(admin);
    await screenshot(admin, 'admin-dashboard');

    await declinedRow.getByRole('link').click();
    await admin.getByRole('heading', { name: /^Order / }).waitFor();
    const attempts = admin.getByRole('table').first().getByRole('row');
    await admin.getByRole('cell', { name: 'insufficient_funds' }).waitFor();
    expect(await attempts.count()).toBe(3); // the header, the decline, the success

    await admin.getByLabel(/Amount to refund/).fill('10.00');
    await admin.getByLabel('Reason').fill('Partial goodwill refund');
    await admin.getByRole('button', { name: 'Refund' }).click();
    await admin.getByText('refund succeeded', { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
    await admin.getByText(/\$10\.00 refunded/).waitFor();
    await expectAccessible(admin);
    await screenshot(admin, 'admin-order');
  });
});
