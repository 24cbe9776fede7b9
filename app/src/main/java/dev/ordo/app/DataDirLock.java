package dev.ordo.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's hold on its data directory: {@code <data-dir>/ordo.lock}, locked with
 * {@link FileChannel#tryLock()} and holding the owner's PID for the message of the next one. The
 * operating system releases the lock when the process ends, even on SIGKILL, so a lock file left
 * behind by a killed process does not block the next start. Taken before the actor system starts;
 * released by {@link #close} once the actor system has terminated.
 */
public final class DataDirLock implements AutoCloseable {

  /** The lock file's name inside the data directory. */
  public static final String FILE_NAME = "ordo.lock";

  private static final Logger log = LoggerFactory.getLogger(DataDirLock.class);
  private static final long MB = 1024 * 1024;

  private final Path dataDir;
  private final FileChannel channel;

  private DataDirLock(Path dataDir, FileChannel channel) {
    this.dataDir = dataDir;
    this.channel = channel;
  }

  /**
   * Creates the data directory when it is missing (its parent must exist), locks it and checks the
   * free space of its disk.
   *
   * @param dataDir      the {@code --data-dir}
   * @param minFreeBytes the least usable space its disk must have, bytes
   * @throws StartFailure {@link StartFailure#USAGE} when {@code dataDir} is a file, or its parent is
   *     missing or a file; {@link StartFailure#ENVIRONMENT} when it cannot be created, written or
   *     locked, another process (or this one) holds it, or its disk has less than {@code minFreeBytes}
   */
  public static DataDirLock acquire(Path dataDir, long minFreeBytes) throws StartFailure {
    Path dir = dataDir.toAbsolutePath().normalize();
    create(dir);
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw cannotWrite(dir, e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process (an engine already running in this JVM)
      }
      if (lock == null) {
        throw StartFailure.environment("data-dir " + dir + " is in use by " + owner(file)
            + "; stop it or choose another --data-dir", null);
      }
      byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.write(ByteBuffer.wrap(pid), 0);
      channel.truncate(pid.length);
      channel.force(false);
      long free = Files.getFileStore(dir).getUsableSpace();
      if (free < minFreeBytes) {
        throw StartFailure.environment("data-dir " + dir + ": only " + free / MB + " MB free on its disk, at least " + minFreeBytes / MB
            + " MB needed (ordo.data-dir.min-free-space); free some space or choose another --data-dir", null);
      }
      return new DataDirLock(dir, channel);
    } catch (IOException e) {
      closeQuietly(channel);
      throw cannotWrite(dir, e);
    } catch (StartFailure | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void create(Path dir) throws StartFailure {
    if (Files.isDirectory(dir)) return;
    if (Files.exists(dir))
      throw StartFailure.usage("data-dir " + dir + " is a file, not a folder; give --data-dir a folder (it is created when missing)");
    Path parent = dir.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw StartFailure.usage("data-dir " + dir + " cannot be created: " + (Files.exists(parent) ? parent + " is a file, not a folder"
          : "its parent folder " + parent + " does not exist") + "; fix --data-dir or create the parent folder first");
    }
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      throw StartFailure.environment("data-dir " + dir + " cannot be created (" + StartChecks.reason(e) + "); give this user write access to "
          + parent + " or choose another --data-dir", e);
    }
  }

  private static StartFailure cannotWrite(Path dir, IOException e) {
    String reason = StartChecks.reason(e);
    if (reason.contains("No space left on device"))
      return StartFailure.environment("data-dir " + dir + ": its disk is full (" + reason + "); free some space or choose another --data-dir", e);
    return StartFailure.environment("data-dir " + dir + " cannot be written (" + reason + "); give this user write access to it or choose "
        + "another --data-dir", e);
  }

  /** "process N" from the lock file, or "another process" while the owner has not written its PID yet. */
  private static String owner(Path file) {
    try {
      String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (pid.matches("\\d+")) return "process " + pid;
    } catch (IOException e) {
      log.debug("Cannot read the owner of {}", file, e);
    }
    return "another process";
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing the data-dir lock failed", e);
    }
  }

  /** The locked data directory, absolute. */
  public Path dataDir() {
    return dataDir;
  }

  /** Releases the lock (the file stays, with the last owner's PID); idempotent. */
  @Override
  public void close() {
    closeQuietly(channel);
  }
}
