package dev.ordo.app;

import java.nio.file.Path;
import java.util.List;

/**
 * A start refused because its data folder ({@code --data-dir}) holds a run over other bar files,
 * sessions or strategy parameters. The message says what differs and how to go on, in one line.
 * Nothing was journaled.
 */
public final class OtherRunException extends IllegalArgumentException {

  private final List<String> differences;

  /**
   * @param dataDir     the data folder of the run
   * @param differences what differs, one phrase each (see {@code ReplayRun.Manifest#differencesFrom})
   */
  public OtherRunException(Path dataDir, List<String> differences) {
    super("the data dir " + dataDir.toAbsolutePath() + " holds a run over other data (" + String.join("; ", differences)
        + "): start a new run with another --data-dir (or delete that folder), or continue this run over the new data"
        + " with --continue-over-different-data");
    this.differences = List.copyOf(differences);
  }

  /** What differs from the recorded run, one phrase each. */
  public List<String> differences() {
    return differences;
  }
}
