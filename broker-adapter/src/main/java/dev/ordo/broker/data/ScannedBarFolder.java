package dev.ordo.broker.data;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The bar files of one folder as {@link BarFileReader#scanAll} checked them, without their bars.
 *
 * @param folder       the folder
 * @param files        each bar file's index, sorted by file name
 * @param sha256ByFile SHA-256 of each bar file's bytes (64 lower-case hex digits), by file name
 * @param ignored      names of the folder's other entries (not {@code *.csv}, hidden, folders), not read
 */
public record ScannedBarFolder(Path folder, List<BarFileIndex> files, SortedMap<String, String> sha256ByFile, List<String> ignored) {

  public ScannedBarFolder {
    Objects.requireNonNull(folder, "folder");
    files = List.copyOf(files);
    sha256ByFile = Collections.unmodifiableSortedMap(new TreeMap<>(sha256ByFile));
    ignored = List.copyOf(ignored);
  }

  /**
   * The files of the instruments named in {@code names} only ({@code SYMBOL.VENUE} or a trading symbol,
   * as {@code TCS-EQ.NSE} or {@code TCS-EQ}); all of them when {@code names} is empty.
   *
   * @throws IllegalArgumentException naming the names no file of the folder trades
   */
  public ScannedBarFolder onlyInstruments(java.util.Set<String> names) {
    if (names.isEmpty()) return this;
    java.util.Set<String> unknown = new java.util.TreeSet<>(names);
    List<BarFileIndex> kept = new java.util.ArrayList<>();
    SortedMap<String, String> sha = new TreeMap<>();
    for (BarFileIndex file : files) {
      String id = file.instrument().id().toString();
      String symbol = file.instrument().id().symbol();
      if (!names.contains(id) && !names.contains(symbol)) continue;
      unknown.remove(id);
      unknown.remove(symbol);
      kept.add(file);
      String name = file.source().getFileName().toString();
      if (sha256ByFile.containsKey(name)) sha.put(name, sha256ByFile.get(name));
    }
    if (!unknown.isEmpty())
      throw new IllegalArgumentException("no bar file of " + folder + " trades " + unknown + "; its instruments: "
          + files.stream().map(f -> f.instrument().id().toString()).toList());
    return new ScannedBarFolder(folder, kept, sha, ignored);
  }

  /** The fingerprint of the folder's bar files, the same as {@link BarFolder#fingerprint()}. */
  public String fingerprint() {
    return BarFolder.fingerprint(sha256ByFile);
  }
}
