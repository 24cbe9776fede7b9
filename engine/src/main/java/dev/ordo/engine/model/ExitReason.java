package dev.ordo.engine.model;

/**
 * Why a position was closed (strategy spec, "Output"): the initial protective stop, a stop that had
 * been trailed upward, or the end of the session. Journaled by name.
 */
public enum ExitReason {
  STOP,
  TRAIL,
  SESSION_END
}
