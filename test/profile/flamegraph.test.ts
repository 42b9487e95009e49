import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { fixtures, outDir } from './helpers.js';

describe('profile: HTML flame graph', () => {
  it('renders the top frames in headless Chromium, zooms and searches, with no network request', async () => {
    const report = await runProfile({ command: process.execPath, args: ['split.js', '1'], cwd: fixtures }, { cwd: fixtures, outDir: outDir() });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      const url = pathToFileURL(report.output.flamegraph!).href;
      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      for (const fn of ['sixty', 'thirty', 'ten']) {
        const frame = page.locator('#flame .f', { hasText: new RegExp(`^${fn}$`) }).first();
        await expect(frame.isVisible()).resolves.toBe(true);
        const box = await frame.boundingBox();
        expect(box!.width).toBeGreaterThan(fn === 'ten' ? 30 : 200);
      }
      // The hottest list names the 60% function first.
      await expect(page.locator('#hot li').first().textContent()).resolves.toMatch(/^sixty \(split\.js:7\)/);
      // Search highlights matching frames.
      await page.fill('#search', '^thirty$');
      await expect(page.locator('#flame .f.hit').count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('#match').textContent()).resolves.toMatch(/matched \d/);
      // Zoom: clicking a frame makes it full width.
      await page.fill('#search', '');
      const thirty = page.locator('#flame .f', { hasText: /^thirty$/ }).first();
      await thirty.click();
      const zoomed = await page.locator('#flame .f', { hasText: /^thirty$/ }).first().boundingBox();
      expect(zoomed!.width).toBeGreaterThan(1000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
