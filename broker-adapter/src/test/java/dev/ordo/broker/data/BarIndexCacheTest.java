package dev.ordo.broker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The indexes of checked bar files kept for the next start: used for the same name and bytes only, never in place of a check. */
class BarIndexCacheTest {

  @TempDir
  Path dir;

  Path data() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("TCS.csv"), BarFileReaderTest.tcs(6, 2, row -> BarFileReaderTest.set(row, BarFileReaderTest.OPEN, "10000")));
    Files.writeString(data.resolve("INFY.csv"), BarFileReaderTest.tcs(4, 1, BarFileReaderTest::unchanged));
    return data;
  }

  static void assertSameIndexes(ScannedBarFolder expected, ScannedBarFolder actual) {
    assertEquals(expected.sha256ByFile(), actual.sha256ByFile());
    assertEquals(expected.files().size(), actual.files().size());
    for (int i = 0; i < expected.files().size(); i++) {
      BarFileIndex e = expected.files().get(i);
      BarFileIndex a = actual.files().get(i);
      assertEquals(e.instrument(), a.instrument());
      assertEquals(e.source(), a.source());
      assertEquals(e.interval(), a.interval());
      assertEquals(e.offset(), a.offset());
      assertArrayEquals(e.openTimes(), a.openTimes());
      assertEquals(e.warnings(), a.warnings());
    }
  }

  @Test
  void aStoredIndexIsReadBackForTheSameFileAndAScanWithItEqualsAPlainScan() throws IOException {
    Path data = data();
    ScannedBarFolder plain = BarFileReader.scanAll(data);
    assertEquals(1, plain.files().get(1).warnings().size(), "TCS's first bar opening outside its range is a warning: " + plain.files());
    BarIndexCache cache = BarIndexCache.in(dir.resolve("cache"));
    assertSameIndexes(plain, BarFileReader.scanAll(data, cache));
    assertTrue(Files.notExists(cache.folder()), "scanning stores nothing");

    cache.storeAll(plain);
    try (Stream<Path> entries = Files.list(cache.folder())) {
      assertEquals(List.of(plain.sha256ByFile().get("INFY.csv") + "-INFY.csv.idx", plain.sha256ByFile().get("TCS.csv") + "-TCS.csv.idx"),
          entries.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertSameIndexes(plain, BarFileReader.scanAll(data, cache));
  }

  @Test
  void theEntryIsTakenInsteadOfParsingTheFile() throws IOException {
    Path data = data();
    ScannedBarFolder plain = BarFileReader.scanAll(data);
    BarFileIndex tcs = plain.files().get(1);
    // an entry for TCS's name and bytes that differs from the file by its warnings: what a scan gives comes from it
    BarFileIndex marked = new BarFileIndex(tcs.instrument(), tcs.source(), tcs.interval(), tcs.offset(), tcs.openTimes(), List.of("from the cache"));
    BarIndexCache cache = BarIndexCache.in(dir.resolve("cache"));
    cache.storeAll(new ScannedBarFolder(data, List.of(marked), plain.sha256ByFile(), List.of()));
    assertEquals(List.of("from the cache"), BarFileReader.scanAll(data, cache).files().get(1).warnings());
  }

  @Test
  void aChangedFileOrADamagedEntryIsCheckedAgain() throws IOException {
    Path data = data();
    BarIndexCache cache = BarIndexCache.in(dir.resolve("cache"));
    cache.storeAll(BarFileReader.scanAll(data));

    Files.writeString(data.resolve("INFY.csv"), BarFileReaderTest.tcs(5, 1, BarFileReaderTest::unchanged));
    ScannedBarFolder changed = BarFileReader.scanAll(data, cache);
    assertEquals(5, changed.files().get(0).openTimes().length, "the changed file's bars, not the stored ones");
    assertSameIndexes(BarFileReader.scanAll(data), changed);

    Files.writeString(data.resolve("INFY.csv"), BarFileReaderTest.tcs(5, 3, row -> BarFileReaderTest.set(row, BarFileReaderTest.HIGH, "1")));
    assertThrows(BadBarDataException.class, () -> BarFileReader.scanAll(data, cache), "a bad file is refused whatever the cache holds");

    Files.writeString(data.resolve("INFY.csv"), BarFileReaderTest.tcs(4, 1, BarFileReaderTest::unchanged));
    try (Stream<Path> entries = Files.list(cache.folder())) {
      for (Path entry : entries.toList()) Files.write(entry, java.util.Arrays.copyOf(Files.readAllBytes(entry), 40));
    }
    assertSameIndexes(BarFileReader.scanAll(data), BarFileReader.scanAll(data, cache));
  }
}
