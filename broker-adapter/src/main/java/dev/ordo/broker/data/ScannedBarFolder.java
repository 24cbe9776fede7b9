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

  /** The fingerprint of the folder's bar files, the same as {@link BarFolder#fingerprint()}. */
  public String fingerprint() {
    return BarFolder.fingerprint(sha256ByFile);
  }
}
