package dev.ordo.broker.data;

import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexes of bar files already checked ({@link BarFileIndex}: instrument, interval, offset, bar open times, warnings),
 * kept in a folder of the engine's data directory so that a restart over the same files does not parse them again: an
 * entry is found by the file's name and the SHA-256 of its bytes, so a file changed in any way is checked again. An entry
 * that cannot be read (another version of this format, a truncated write, any damage) is treated as missing; nothing in
 * it can make a bad file pass, since the same name and bytes passed before.
 *
 * <p>Format of an entry ({@code <sha256>-<file name>.idx}, {@link DataOutputStream} encoding): the magic {@code ORDO-BAR-INDEX},
 * {@link #VERSION}, file name, SHA-256, symbol, venue, tick size, lot size, currency, broker token or empty, interval in
 * seconds, UTC offset in seconds, bar count, each open time (epoch seconds), warning count, each warning. About 8 bytes a
 * bar; entries of files no longer used are not removed (delete the folder at any time: it is built again).
 */
public final class BarIndexCache {

  private static final Logger log = LoggerFactory.getLogger(BarIndexCache.class);
  private static final String MAGIC = "ORDO-BAR-INDEX";
  /** Changes whenever the format, or the checks a bar file passes, change: entries of other versions are not used. */
  static final int VERSION = 1;

  private final Path folder;

  private BarIndexCache(Path folder) {
    this.folder = folder;
  }

  /** The cache in {@code folder} (created when an entry is first stored). */
  public static BarIndexCache in(Path folder) {
    return new BarIndexCache(folder);
  }

  /** The cache's folder. */
  public Path folder() {
    return folder;
  }

  /** The index of the file {@code source} whose bytes have {@code sha256}, when an entry for that name and content is stored. */
  Optional<BarFileIndex> load(Path source, String sha256) {
    Path entry = entryOf(source.getFileName().toString(), sha256);
    if (!Files.isRegularFile(entry)) return Optional.empty();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(entry)))) {
      if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) return Optional.empty();
      if (!source.getFileName().toString().equals(in.readUTF()) || !sha256.equals(in.readUTF())) return Optional.empty();
      InstrumentId id = new InstrumentId(in.readUTF(), in.readUTF());
      BigDecimal tick = new BigDecimal(in.readUTF());
      BigDecimal lot = new BigDecimal(in.readUTF());
      String currency = in.readUTF();
      String token = in.readUTF();
      Duration interval = Duration.ofSeconds(in.readLong());
      ZoneOffset offset = ZoneOffset.ofTotalSeconds(in.readInt());
      long[] opens = new long[in.readInt()];
      for (int i = 0; i < opens.length; i++) opens[i] = in.readLong();
      int count = in.readInt();
      List<String> warnings = new ArrayList<>(count);
      for (int i = 0; i < count; i++) warnings.add(in.readUTF());
      if (in.read() != -1) return Optional.empty();
      return Optional.of(new BarFileIndex(new Instrument(id, tick, lot, currency, token.isEmpty() ? null : token), source, interval, offset,
          opens, warnings));
    } catch (IOException | RuntimeException e) {
      log.debug("bar index cache: entry {} not used: {}", entry, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Stores the index of every file of {@code scanned} not stored yet. Best effort: a failure to write is logged (the next start
   * checks the files again) and never fails the caller.
   */
  public void storeAll(ScannedBarFolder scanned) {
    for (BarFileIndex file : scanned.files()) {
      String name = file.source().getFileName().toString();
      String sha256 = scanned.sha256ByFile().get(name);
      if (sha256 == null || Files.isRegularFile(entryOf(name, sha256))) continue;
      try {
        store(file, sha256);
      } catch (IOException | RuntimeException e) {
        log.warn("bar index cache: the index of {} not stored in {} ({}); the next start checks the file again", file.source(), folder,
            e.toString());
        return;
      }
    }
  }

  private void store(BarFileIndex file, String sha256) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * file.openTimes().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(file.source().getFileName().toString());
      out.writeUTF(sha256);
      Instrument instrument = file.instrument();
      out.writeUTF(instrument.id().symbol());
      out.writeUTF(instrument.id().venue());
      out.writeUTF(instrument.tickSize().toString());
      out.writeUTF(instrument.lotSize().toString());
      out.writeUTF(instrument.currency());
      out.writeUTF(instrument.brokerToken() == null ? "" : instrument.brokerToken());
      out.writeLong(file.interval().getSeconds());
      out.writeInt(file.offset().getTotalSeconds());
      out.writeInt(file.openTimes().length);
      for (long open : file.openTimes()) out.writeLong(open);
      out.writeInt(file.warnings().size());
      for (String warning : file.warnings()) out.writeUTF(warning);
    }
    Files.createDirectories(folder);
    Path entry = entryOf(file.source().getFileName().toString(), sha256);
    Path partial = Files.createTempFile(folder, ".partial-", ".idx");
    try {
      Files.write(partial, bytes.toByteArray());
      Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private Path entryOf(String fileName, String sha256) {
    return folder.resolve(sha256 + "-" + fileName + ".idx");
  }
}
