/**
 * A command's place among its order's writes, as SQL of the outbox row `alias`: its id, or for a replay's copy the
 * id of the command it copies (replay_of). A copy is as old as the event it replays, however late it is queued.
 */
export const PLACE = (alias: string): string => `COALESCE(${alias}.replay_of, ${alias}.id)`;
