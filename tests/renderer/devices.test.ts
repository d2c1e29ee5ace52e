/**
 * The Devices view against an in-memory device API (devices-fake.ts): the list with status figures, pairing
 * (a wrong code is a notice naming the device), a push whose progress events move the bar, rollback, the live
 * panel (beats, heart rate, alerts, a lost stream) and failures of an unreachable device. The real service and
 * agent are covered by tests/app/devices.test.ts and tests/e2e/devices.e2e.test.ts.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceLiveMessage } from '../../src-main/api/contract.js';
import Devices from '../../src-renderer/views/Devices.svelte';
import { openReviewDb } from '../../src-renderer/lib/db.js';
import { devicesOf } from '../../src-renderer/lib/devices.svelte.js';
import { AppState } from '../../src-renderer/lib/store.svelte.js';
import { CODE, DEAD, fakeDevicesTransport, INT8, PI, PRUNED } from './devices-fake.js';

let n = 0;
async function setup() {
  const fake = fakeDevicesTransport();
  const app = new AppState(fake.transport, openReviewDb(`devices-${n++}`, new IDBFactory(), IDBKeyRange));
  await app.init();
  render(Devices, { app });
  await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(2));
  return { ...fake, app };
}

const rowOf = (address: string): HTMLElement => screen.getAllByTestId('device-row').find((r) => r.dataset.address === address)!;
const lastNotice = (app: AppState) => app.notices.at(-1);

afterEach(() => cleanup());

beforeAll(() => {
  // jsdom has no canvas: the strip draws nothing, the rest of the panel is what is tested.
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
});

describe('Devices view', () => {
  it('lists devices; pairs (a wrong code is a notice naming the device); shows the status figures', async () => {
    const { app, calls } = await setup();
    expect(rowOf(DEAD).dataset.online).toBe('false');
    expect(rowOf(DEAD).textContent).toMatch(/connection refused/);
    expect(rowOf(PI).dataset.paired).toBe('false');
    // The paired (offline) device is selected first; pick the Pi.
    await fireEvent.click(within(rowOf(PI)).getByRole('button'));
    const panel = screen.getByTestId('device-panel');
    expect(panel.dataset.address).toBe(PI);

    await fireEvent.input(screen.getByTestId('device-code-input'), { target: { value: '000000' } });
    await fireEvent.click(screen.getByTestId('device-pair'));
    await waitFor(() => expect(lastNotice(app)).toMatchObject({ level: 'error', text: `Pairing failed — ${PI}: wrong or expired pairing code (HTTP 403)` }));
    expect(rowOf(PI).dataset.paired).toBe('false');

    await fireEvent.input(screen.getByTestId('device-code-input'), { target: { value: ` ${CODE} ` } });
    await fireEvent.click(screen.getByTestId('device-pair'));
    await waitFor(() => expect(rowOf(PI).dataset.paired).toBe('true'));
    expect(calls).toContain(`pair ${PI} ${CODE}`);
    const status = screen.getByTestId('device-status');
    expect(screen.getByTestId('device-model').textContent).toContain(PRUNED.id);
    expect(screen.getByTestId('device-model').textContent).toContain(PRUNED.sha256.slice(0, 12));
    expect(screen.getByTestId('device-model').textContent).toMatch(/self-test 96\.2 %/);
    expect(screen.getByTestId('device-latency').textContent).toMatch(/p50 3\.2 ms · p95 11\.7 ms \(1003 beats\)/);
    expect(status.textContent).toMatch(/wasm/);
    expect(status.textContent).toMatch(/1 h 2 min/);
    expect(status.textContent).toMatch(/RSS 180 MB/);
    expect(within(rowOf(PI)).getByTestId('device-row-model').textContent).toContain(PRUNED.sha256.slice(0, 12));
    // Nothing to roll back to yet.
    expect((screen.getByTestId('device-rollback') as HTMLButtonElement).disabled).toBe(true);
  });

  it('pushes with a progress bar driven by events, then rolls back', async () => {
    const { app, calls, emit, finishPush } = await setup();
    await fireEvent.click(within(rowOf(PI)).getByRole('button'));
    await fireEvent.input(screen.getByTestId('device-code-input'), { target: { value: CODE } });
    await fireEvent.click(screen.getByTestId('device-pair'));
    await waitFor(() => screen.getByTestId('device-status'));
    // The baseline cannot run on a device, so it is not offered; student-int8 is preselected.
    const select = screen.getByTestId('device-model-select') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['student-int8', 'student-pruned']);
    expect(select.value).toBe('student-int8');
    await fireEvent.click(screen.getByTestId('device-push'));
    await waitFor(() => expect(calls).toContain(`push ${PI} student-int8`));
    expect(screen.getByTestId('device-busy').textContent).toMatch(/pushing/);
    expect((screen.getByTestId('device-push') as HTMLButtonElement).disabled).toBe(true);

    const progress = () => screen.getByTestId('device-push-progress');
    emit({ type: 'device-push', progress: { address: PI, model: 'student-int8', phase: 'uploading', sent: 4096, total: 8192 } });
    await waitFor(() => expect(progress().dataset.phase).toBe('uploading'));
    expect(progress().querySelector('progress')!.value).toBe(4096);
    expect(progress().querySelector('progress')!.max).toBe(8192);
    expect(progress().textContent).toMatch(/4,096 of 8,192 bytes/);
    emit({ type: 'device-push', progress: { address: PI, model: 'student-int8', phase: 'verifying', sent: 8192, total: 8192 } });
    await waitFor(() => expect(progress().textContent).toMatch(/self-tests it/));
    // Progress of another device does not move this bar.
    emit({ type: 'device-push', progress: { address: DEAD, model: 'cnn', phase: 'failed', sent: 0, total: 0, error: 'x' } });
    emit({ type: 'device-push', progress: { address: PI, model: 'student-int8', phase: 'done', sent: 8192, total: 8192, modelId: INT8.id } });
    finishPush();
    await waitFor(() => expect(screen.getByTestId('device-model').textContent).toContain(INT8.id));
    expect(progress().textContent).toContain(`is active: ${INT8.id}`);
    expect(screen.getByTestId('device-previous').textContent).toContain(PRUNED.id);
    expect(lastNotice(app)?.text).toBe(`${PI} now runs ${INT8.id}`);

    const rollback = screen.getByTestId('device-rollback') as HTMLButtonElement;
    expect(rollback.disabled).toBe(false);
    expect(rollback.textContent).toContain(PRUNED.id);
    await fireEvent.click(rollback);
    await waitFor(() => expect(screen.getByTestId('device-model').textContent).toContain(PRUNED.id));
    expect(screen.getByTestId('device-previous').textContent).toContain(INT8.id);
    expect(calls).toContain(`rollback ${PI}`);
  });

  it('live panel: beats, heart rate and alerts from events; a lost stream is a warning naming the device', async () => {
    const { app, calls, emit } = await setup();
    await fireEvent.click(within(rowOf(PI)).getByRole('button'));
    await fireEvent.input(screen.getByTestId('device-code-input'), { target: { value: CODE } });
    await fireEvent.click(screen.getByTestId('device-pair'));
    await waitFor(() => screen.getByTestId('device-watch'));
    await fireEvent.click(screen.getByTestId('device-watch'));
    await waitFor(() => expect(calls).toContain(`watch ${PI}`));
    await fireEvent.input(screen.getByTestId('device-replay-record'), { target: { value: '/opt/ecg-review/resources/samples/208' } });
    await fireEvent.input(screen.getByTestId('device-replay-speed'), { target: { value: '5' } });
    await fireEvent.click(screen.getByTestId('device-replay'));
    await waitFor(() => expect(calls).toContain(`replay ${PI} /opt/ecg-review/resources/samples/208 5`));

    const labels = 'NNVNNVNNVVVN';
    const beat = (i: number): DeviceLiveMessage => ({ type: 'beat', sample: 300 * (i + 1), time: (300 * (i + 1)) / 360, label: labels[i], probabilities: null, latencyMs: 2.5, delayMs: 3200, modelId: INT8.id });
    emit({ type: 'device-live', address: PI, messages: [{ type: 'status', running: true, source: '208' }, ...[0, 1, 2, 3, 4, 5].map(beat), { type: 'rate', time: 5, bpm: 71.6 }] });
    emit({ type: 'device-live', address: PI, messages: [...[6, 7, 8, 9, 10, 11].map(beat), { type: 'rate', time: 10, bpm: 88.2 }, { type: 'alert', time: 9.2, kind: 'ventricular-run', message: '3 ventricular beats in a row' }] });
    // Another device's beats are not shown here.
    emit({ type: 'device-live', address: DEAD, messages: [beat(0)] });
    await waitFor(() => expect(screen.getByTestId('device-beat-count').textContent).toBe('12 beats'));
    expect(screen.getByTestId('device-beats').textContent!.replace(/\s/g, '')).toBe(labels);
    expect(screen.getByTestId('device-bpm').textContent).toBe('88 bpm');
    expect(screen.getByTestId('device-alerts').textContent).toMatch(/ventricular-run at 9\.2 s: 3 ventricular beats in a row/);
    expect(screen.getByTestId('device-live').textContent).toMatch(/monitoring 208/);
    expect(screen.getByTestId('device-strip')).toBeTruthy();
    // The stream lives in devicesOf(app), not in the component, so switching tabs keeps it.
    expect(devicesOf(app).liveOf(PI).total).toBe(12);

    emit({ type: 'device-watch-ended', address: PI, reason: `${PI}: the live stream closed (the device stopped, restarted or revoked our token)` });
    await waitFor(() => screen.getByTestId('device-watch'));
    expect(lastNotice(app)).toMatchObject({ level: 'warning', text: `${PI}: the live stream closed (the device stopped, restarted or revoked our token)` });
  });

  it('an unreachable device: its row says why, and actions on it fail with a notice naming it', async () => {
    const { app, calls } = await setup();
    // The paired (offline) device is selected first.
    expect(screen.getByTestId('device-panel').dataset.address).toBe(DEAD);
    await fireEvent.click(screen.getByTestId('device-push'));
    await waitFor(() => expect(lastNotice(app)).toMatchObject({ level: 'error', text: `Pushing student-int8 failed — ${DEAD}: connection refused (is the agent running?)` }));
    await fireEvent.click(screen.getByTestId('device-watch'));
    await waitFor(() => expect(lastNotice(app)?.text).toBe(`Watching failed — ${DEAD}: connection refused (is the agent running?)`));
    await waitFor(() => expect(screen.getByTestId('device-watch')).toBeTruthy());
    // Forget removes the row; adding by address selects the device added.
    await fireEvent.click(screen.getByTestId('device-forget'));
    await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(1));
    await fireEvent.input(screen.getByTestId('device-address-input'), { target: { value: ` ${PI} ` } });
    await fireEvent.click(screen.getByTestId('device-add'));
    await waitFor(() => expect(calls).toContain(`add ${PI}`));
    await waitFor(() => expect(screen.getByTestId('device-panel').dataset.address).toBe(PI));
  });
});
