import {
  type FakeReply,
  type FakeRequest,
  type ReplyPart,
  startVendorFake,
  type VendorFake,
  type VendorRoute,
} from '../fake-http.js';

/**
 * What the model "answers", vendor-neutral; each vendor fake writes it in its own frames.
 * `signal` is the vendor's own refusal value (`content_filter`, `refusal`, `SAFETY`,
 * `block:PROHIBITED_CONTENT`, `guardrail_intervened`, …); `status` its error body for that
 * status; `stream-error` an in-stream error after the first text; `cut` a stream that stops
 * before its terminal event.
 */
export type CanaryScript =
  | { kind: 'text'; fragments: string[] }
  | { kind: 'tool'; name: string; fragments: string[] }
  | { kind: 'signal'; signal: string }
  | { kind: 'status'; status: number }
  | { kind: 'stream-error' }
  | { kind: 'cut' };

/** How the fake sends the next answers. */
export interface SendOptions {
  /** Re-cut the body into pieces of this many bytes, each written on its own. */
  chunkBytes?: number;
}

/** What a vendor's canary fake supplies. */
export interface CanaryVendor {
  route(method: string, pathname: string): VendorRoute | undefined;
  /** The vendor's own error answer when the request lacks its credentials; undefined when they are good. */
  denied(req: FakeRequest): FakeReply | undefined | Promise<FakeReply | undefined>;
  /** The script as the vendor's reply. */
  reply(script: CanaryScript, req: FakeRequest): FakeReply;
}

/** A running canary fake: the scaffold's fake plus the answer it gives. */
export interface CanaryFake extends VendorFake {
  /** The answer to every following request. */
  answer(script: CanaryScript, options?: SendOptions): void;
  /** The last request's JSON body. */
  lastBody(): Record<string, unknown> | undefined;
}

function rechunk(reply: FakeReply, chunkBytes: number): FakeReply {
  const whole = Buffer.concat(
    reply.parts.map((p) =>
      typeof p.data === 'string' ? Buffer.from(p.data) : Buffer.from(p.data),
    ),
  );
  const parts: ReplyPart[] = [];
  // A millisecond apart, so each piece reaches the client in a read of its own.
  for (let at = 0; at < whole.byteLength; at += chunkBytes) {
    parts.push({ data: whole.subarray(at, at + chunkBytes), delayMs: 1 });
  }
  return { ...reply, parts };
}

/** Starts a canary fake for one vendor on 127.0.0.1 (wire faults such as hangs via `setFault`). */
export async function startCanaryFake(vendor: CanaryVendor): Promise<CanaryFake> {
  let script: CanaryScript = { kind: 'text', fragments: ['ok'] };
  let options: SendOptions = {};
  const fake = await startVendorFake({
    route: (method, pathname) => vendor.route(method, pathname),
    async answer(req) {
      const denied = await vendor.denied(req);
      if (denied) return denied;
      const reply = vendor.reply(script, req);
      return options.chunkBytes === undefined ? reply : rechunk(reply, options.chunkBytes);
    },
  });
  return {
    ...fake,
    answer(next, opts = {}) {
      script = next;
      options = opts;
    },
    lastBody: () => fake.requests.at(-1)?.json,
  };
}

/** The tool call's arguments as an object (vendors that send whole objects). */
export function wholeArguments(script: { fragments: string[] }): unknown {
  return JSON.parse(script.fragments.join(''));
}
