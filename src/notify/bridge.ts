import type { ConsumerConfig } from '../config/types.js';
import { isFailure } from '../evaluate/verdict.js';
import type { ModelView } from '../models/tracker.js';
import type { Monitor } from '../monitor.js';
import type { Notifiers } from './dispatcher.js';
import type { DependencyObservation } from './types.js';

/** The model changes the round that started at `at` found (they carry its start). */
function modelChangesOf(
  models: ModelView | undefined,
  at: number,
): Pick<DependencyObservation, 'modelChanges'> {
  const found = (models?.changes ?? [])
    .filter((c) => c.change.at === at)
    .map(({ change: { kind, from, to, similarity } }) => ({
      kind,
      from,
      to,
      ...(similarity === undefined ? {} : { similarity }),
    }));
  return found.length > 0 ? { modelChanges: found } : {};
}

/** What the bridge reads from the monitor. */
export type ObservedMonitor = Pick<Monitor, 'onRoundCompleted' | 'dependency' | 'consumer'>;

/**
 * Tells the notifiers about every completed round of `monitor`: the dependency's evaluation,
 * then that of every consumer whose chain includes it (consumers are judged per round too,
 * so "N in a row" means rounds for them as well). `notifiers` and `consumers` are read at
 * each round, so a config reload can swap them. Returns a function that unsubscribes.
 */
export function observeMonitor(
  monitor: ObservedMonitor,
  notifiers: () => Notifiers,
  consumers: () => readonly ConsumerConfig[],
): () => void {
  // A round with the breaker open only says circuit_open; the class that opened it is news.
  const lastErrorClass = new Map<string, string>();
  const unsubscribe = monitor.onRoundCompleted((id, round) => {
    const snapshot = monitor.dependency(id);
    if (!snapshot) return;
    const failed = round.results.find(isFailure);
    if (failed?.errorClass) lastErrorClass.set(id, failed.errorClass);
    else if (round.results.some((r) => r.ok)) lastErrorClass.delete(id);
    const { config: dep, evaluation } = snapshot;
    const target = notifiers();
    target.observe({
      dependency: { id, vendor: dep.vendor, model: dep.model, team: dep.team },
      state: evaluation.state,
      reasons: evaluation.reasons,
      errorClass: evaluation.state === 'healthy' ? undefined : lastErrorClass.get(id),
      credentialProblem: evaluation.credentialProblem,
      ...(evaluation.failingCanaries ? { failingCanaries: evaluation.failingCanaries } : {}),
      ...(evaluation.degradedByCanaries ? { degradedByCanaries: true } : {}),
      ...modelChangesOf(snapshot.models, round.startedAt),
      at: round.finishedAt,
    });
    for (const consumer of consumers()) {
      if (!consumer.uses.includes(id)) continue;
      const e = monitor.consumer(consumer.id);
      if (!e) continue;
      target.observeConsumer({
        id: consumer.id,
        team: consumer.team,
        state: e.state,
        route: e.route,
        reason: e.reason,
        at: round.finishedAt,
      });
    }
  });
  return () => {
    unsubscribe();
  };
}
