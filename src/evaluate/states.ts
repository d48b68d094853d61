/** Dependency states (a contract: dashboards, alert rules and tools read them). */
export const DEPENDENCY_STATES = ['healthy', 'degraded', 'down', 'unknown'] as const;
export type DependencyState = (typeof DEPENDENCY_STATES)[number];

/** Consumer states (a contract, like the dependency states). */
export const CONSUMER_STATES = ['ok', 'degraded', 'down'] as const;
export type ConsumerState = (typeof CONSUMER_STATES)[number];

/** Breaker states as exported (opossum's halfOpen is spelled half_open). */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];
