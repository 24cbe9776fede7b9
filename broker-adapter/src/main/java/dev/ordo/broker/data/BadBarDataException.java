package dev.ordo.broker.data;

import java.nio.file.Path;

/**
 * A bar file row that cannot be read: a missing or unparseable field, a timestamp without
 * UTC offset, a time not after the previous row's, or a file without the expected header.
 * The message names the file, the 1-based line and what is wrong.
 */
public final class BadBarDataException extends RuntimeException {

  private final Path file;
  private final long line;

  public BadBarDataException(Path file, long line, String reason) {
    super(file + " line " + line + ": " + reason);
    this.file = file;
    this.line = line;
  }

  /** The file that holds the bad row. */
  public Path file() {
    return file;
  }

  /** 1-based line number in the file (the header is line 1). */
  public long line() {
    return line;
  }
}
