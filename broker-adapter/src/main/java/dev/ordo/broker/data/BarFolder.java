package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.InstrumentBars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The bar files of one folder, as {@link BarFileReader#readAll} read them.
 *
 * @param folder       the folder
 * @param files        the bars of each bar file, sorted by file name
 * @param sha256ByFile SHA-256 of each bar file's bytes (64 lower-case hex digits), by file name
 * @param ignored      names of the folder's other entries (not {@code *.csv}, hidden, folders), not read
 */
public record BarFolder(Path folder, List<InstrumentBars> files, SortedMap<String, String> sha256ByFile, List<String> ignored) {

  public BarFolder {
    Objects.requireNonNull(folder, "folder");
    files = List.copyOf(files);
    sha256ByFile = Collections.unmodifiableSortedMap(new TreeMap<>(sha256ByFile));
    ignored = List.copyOf(ignored);
  }

  /**
   * One fingerprint of all bar files: SHA-256 (64 lower-case hex digits) over each file's name and
   * content hash, in file-name order. It depends only on names and bytes, so it is the same on
   * every machine and for every copy of the folder.
   */
  public String fingerprint() {
    return fingerprint(sha256ByFile);
  }

  /** The fingerprint of files given by name and content SHA-256 (see {@link #fingerprint()}). */
  public static String fingerprint(Map<String, String> sha256ByFile) {
    MessageDigest digest = sha256();
    for (Map.Entry<String, String> file : new TreeMap<>(sha256ByFile).entrySet())
      digest.update((file.getKey() + "\n" + file.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of {@code bytes}, 64 lower-case hex digits. */
  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", e);
    }
  }
}
