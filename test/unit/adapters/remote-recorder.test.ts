import { silentLogger } from '../../../relay/src/adapters/winston-logger';
import type { FromRecorder, RecordRequest, ToRecorder } from '../../../relay/src/adapters/remote-recorder/recorder-messages';
import { createRemoteRecorder, MAX_IN_FLIGHT, type RecorderChannel } from '../../../relay/src/adapters/remote-recorder/remote-recorder';

/** A recorder at the other end that answers only when told to (a thread or process stuck on a slow disk or database). */
function stalledRecorder() {
  const received: RecordRequest[] = [];
  let reply: (message: FromRecorder) => void = () => undefined;
  const channel: RecorderChannel = {
    post: (message: ToRecorder) => void (message.kind === 'requests' && received.push(...message.requests)),
    onMessage: (listener) => void (reply = listener),
    onError: () => undefined,
    onExit: () => undefined,
  };
  return { channel, received, answer: (request: RecordRequest) => reply({ replies: [{ id: request.id, ok: true, value: undefined }], logs: [] }) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the HTTP loop\'s end of a recorder thread or process', () => {
  it('backpressure: beyond MAX_IN_FLIGHT unanswered requests the next is refused at once (a 503, which the provider retries), not queued without bound', async () => {
    const stalled = stalledRecorder();
    const recorder = createRemoteRecorder('recorder process', () => stalled.channel, silentLogger);
    const waiting = Array.from({ length: MAX_IN_FLIGHT }, (_, i) => recorder.recordRejection('stripe', 'bad_signature', 'no', i));
    await settle();
    expect(stalled.received).toHaveLength(MAX_IN_FLIGHT);
    await expect(recorder.recordRejection('stripe', 'bad_signature', 'no', 0)).rejects.toThrow(/too many webhooks waiting/);
    expect(stalled.received).toHaveLength(MAX_IN_FLIGHT);
    // One is answered: there is room for one more, which goes to the recorder.
    stalled.answer(stalled.received[0]);
    await waiting[0];
    const next = recorder.recordRejection('stripe', 'bad_signature', 'no', 0);
    await settle();
    expect(stalled.received).toHaveLength(MAX_IN_FLIGHT + 1);
    stalled.received.slice(1).forEach(stalled.answer);
    await Promise.all([...waiting, next]);
  });
});
