import type { ServerConfig } from '../config.js';

/**
 * The budgets a request or WebSocket command is counted against. A signed-in user's HTTP requests and
 * socket commands share one budget (per user id); server admins (who moderate) and API keys (automation)
 * each have a larger one of their own; a request without a session counts against its client address.
 */
export type BudgetName = 'user' | 'moderator' | 'apiKey' | 'ip';

export const budgetNames: readonly BudgetName[] = ['user', 'moderator', 'apiKey', 'ip'];

export interface Budget {
  readonly points: number;
  readonly durationSeconds: number;
}

export function budgetOf(config: ServerConfig, name: BudgetName): Budget {
  return config.limits[name];
}

/** The budget of a signed-in user: server admins get the moderator budget. */
export function userBudget(serverAdmin: boolean): BudgetName {
  return serverAdmin ? 'moderator' : 'user';
}
