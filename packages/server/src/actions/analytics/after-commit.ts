/**
 * What an analytics write leaves to do once its transaction has committed: metrics, and the per-process
 * memo of activity already marked. Never before commit — a rolled-back transaction counted nothing.
 */
export type AfterCommit = () => void;

export const nothingAfterCommit: AfterCommit = () => {};

/** Runs several in order. */
export function allAfterCommit(...steps: readonly AfterCommit[]): AfterCommit {
  return () => {
    for (const step of steps) step();
  };
}
