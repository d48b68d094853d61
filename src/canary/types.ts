import { ERROR_CLASSES, type ErrorClass } from '../probes/types.js';

/** A function the model may call, as the canary defines it (JSON Schema parameters). */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** What a canary's answer must be. Exactly one kind per canary. */
export type Expectation =
  | { kind: 'equals'; value: string; caseSensitive: boolean }
  | { kind: 'contains'; value: string; caseSensitive: boolean }
  | { kind: 'matches'; pattern: string }
  | { kind: 'oneOf'; values: string[]; caseSensitive: boolean }
  | { kind: 'json'; schema: Record<string, unknown> }
  | { kind: 'toolCall'; name: string; arguments: Record<string, unknown> };

/** A canary after `use:` and defaults are resolved: a prompt with a known answer. */
export interface CanarySpec {
  id: string;
  prompt: string;
  system?: string;
  expect: Expectation;
  tools?: ToolDefinition[];
  /** Output token budget of one run. */
  maxTokens: number;
  /** How often it runs; never more often than its dependency's rounds. */
  intervalMs: number;
}

/** A tool call the model made, its arguments as the JSON text the vendor sent (assembled). */
export interface ToolCall {
  name: string;
  arguments: string;
}

/** What a vendor's canary adapter read from one answer. */
export interface CanaryAnswer {
  /** The answer's text, all text parts joined. */
  text: string;
  toolCalls: ToolCall[];
  /**
   * The vendor's own refusal or safety signal, named as the `reason` will say it:
   * `content_filter`, `refusal`, `stop_reason=refusal`, `finish=SAFETY`,
   * `block=PROHIBITED_CONTENT`, `guardrail_intervened`, … Absent when the vendor said none.
   */
  refusal?: string;
  /** Refusal words the vendor sent apart from the text (OpenAI's `refusal` field). */
  refusalText?: string;
  tokens?: { input: number; output: number };
}

/** Outcomes of a canary run besides the transport error classes. */
export const CANARY_VERDICTS = ['pass', 'wrong_answer', 'refused'] as const;

/** How a canary run ended: `pass`, `wrong_answer`, `refused`, or a transport error class. */
export type CanaryOutcome = (typeof CANARY_VERDICTS)[number] | Exclude<ErrorClass, 'circuit_open'>;

/** Every outcome a canary run can have, in the order tables list them. */
export const CANARY_OUTCOMES: readonly CanaryOutcome[] = [
  ...CANARY_VERDICTS,
  ...ERROR_CLASSES.filter((c): c is Exclude<ErrorClass, 'circuit_open'> => c !== 'circuit_open'),
];

/** One run of one canary on one dependency. Pure data, scrubbed. */
export interface CanaryRun {
  canary: string;
  /** Epoch ms the run started. */
  at: number;
  outcome: CanaryOutcome;
  /** The signal that decided it: `content_filter`, `stop_reason=refusal`, `text`, `no tool call`, … */
  reason?: string;
  /** A short, scrubbed excerpt of what the model answered. */
  answerExcerpt?: string;
  latencyMs: number;
  tokens?: { input: number; output: number };
  httpStatus?: number;
  /** Transport failures: the classified message. */
  message?: string;
}
