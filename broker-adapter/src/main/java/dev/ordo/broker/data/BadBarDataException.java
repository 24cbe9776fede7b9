package dev.ordo.broker.data;

import java.nio.file.Path;

/**
 * A bar file that cannot be used: a row with a missing, unparseable or impossible field, a
 * header of no known layout, a name that cannot be an instrument, bytes that are not UTF-8 text.
 * The message names the file, the 1-based line (when the problem is on one line) and what is
 * wrong: {@code /data/TCS.csv line 7: open is 0: a price must be positive}.
 */
public final class BadBarDataException extends RuntimeException {

  private final Path file;
  private final long line;

  /**
   * @param file   the bar file
   * @param line   1-based line of the problem (the header is line 1), or 0 when it concerns the whole file
   * @param reason what is wrong, e.g. {@code open is 0: a price must be positive}
   */
  public BadBarDataException(Path file, long line, String reason) {
    super(file + (line > 0 ? " line " + line : "") + ": " + reason);
    this.file = file;
    this.line = line;
  }

  /** The file that holds the bad row. */
  public Path file() {
    return file;
  }

  /** 1-based line number in the file (the header is line 1); 0 when the problem is the whole file (its name, its emptiness). */
  public long line() {
    return line;
  }
}
