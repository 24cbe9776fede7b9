package dev.ordo.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rule of the actor packages, checked on their source: an actor's state changes only in its
 * own message handler, so no class of {@code trading}, {@code broker}, {@code marketdata} or
 * {@code service} synchronizes, locks, or uses atomics, volatile fields or concurrent collections.
 * Comments and string literals are blanked before matching, so Javadoc may name these words.
 */
class ActorPackagesShareNoStateTest {

  static final Path ENGINE_SOURCES = Path.of("src", "main", "java", "dev", "ordo", "engine");
  static final List<String> ACTOR_PACKAGES = List.of("trading", "broker", "marketdata", "service", "schedule", "risk", "expert", "scanner");

  /** What is forbidden, by what it is called in a failure. */
  static final Map<String, Pattern> FORBIDDEN = Map.of(
      "synchronized", Pattern.compile("\\bsynchronized\\w*"),
      "volatile", Pattern.compile("\\bvolatile\\b"),
      "a lock", Pattern.compile("\\bjava\\.util\\.concurrent\\.locks\\b|\\b(Lock|ReadWriteLock|ReentrantLock|ReentrantReadWriteLock|StampedLock|LockSupport)\\b"),
      "an atomic", Pattern.compile("\\bjava\\.util\\.concurrent\\.atomic\\b|\\bAtomic[A-Z]\\w*"),
      "a concurrent collection", Pattern.compile("\\bConcurrent[A-Z]\\w*(?<!Exception)\\b"),
      "a copy-on-write collection", Pattern.compile("\\bCopyOnWrite\\w*"));

  @Test
  void noClassOfTheActorPackagesSynchronizesLocksOrSharesMutableState() throws IOException {
    List<String> violations = new ArrayList<>();
    int files = 0;
    for (String actorPackage : ACTOR_PACKAGES) {
      Path directory = ENGINE_SOURCES.resolve(actorPackage);
      assertTrue(Files.isDirectory(directory), "actor package not found at " + directory.toAbsolutePath());
      List<Path> sources;
      try (Stream<Path> walk = Files.walk(directory)) {
        sources = walk.filter(path -> path.toString().endsWith(".java")).sorted().toList();
      }
      for (Path source : sources) {
        files++;
        for (String violation : violations(Files.readString(source)))
          violations.add(ENGINE_SOURCES.relativize(source) + ":" + violation);
      }
    }
    assertTrue(files > 0, "no source scanned under " + ENGINE_SOURCES.toAbsolutePath());
    if (!violations.isEmpty())
      fail("Actor packages must keep state in their actors (results of futures come back as messages, see pipeToSelf):\n  "
          + String.join("\n  ", violations));
  }

  @Test
  void theScanSeesCodeButNotCommentsOrStrings() {
    assertEquals(List.of(), violations(String.join("\n",
        "/** Never volatile, never synchronized; no ConcurrentHashMap or AtomicLong. */",
        "class Quiet {",
        "  // a Lock would be wrong here",
        "  String text = \"CopyOnWriteArrayList // volatile \\\" synchronized\";",
        "  char quote = '\"';",
        "  String block = \"\"\"",
        "      synchronized \\\"\"\" volatile",
        "      \"\"\";",
        "  void run() { throw new java.util.ConcurrentModificationException(); }",
        "}")));
    assertEquals(List.of("2: volatile", "3: a concurrent collection", "4: synchronized", "5: an atomic", "6: a lock"), violations("""
        class Loud {
          private volatile int a; /* a comment
          ending here */ java.util.Map<String, Integer> m = new java.util.concurrent.ConcurrentHashMap<>();
          void run() { synchronized (this) { } }
          java.util.concurrent.atomic.AtomicInteger n;
          java.util.concurrent.locks.Lock l;
        }
        """).stream().map(v -> v.replaceAll(" \\(.*\\)$", "")).toList());
  }

  /** Every forbidden use in {@code source}, as {@code line: what (the text)}, in line order. */
  static List<String> violations(String source) {
    String[] lines = codeOnly(source).split("\n", -1);
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      for (Map.Entry<String, Pattern> rule : FORBIDDEN.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
        Matcher matcher = rule.getValue().matcher(lines[i]);
        if (matcher.find()) found.add((i + 1) + ": " + rule.getKey() + " (" + matcher.group() + ")");
      }
    }
    return found;
  }

  /** {@code source} with comments and the contents of string, text-block and char literals blanked; line breaks kept. */
  static String codeOnly(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        while (i < n && source.charAt(i) != '\n') i = blank(source, i, code);
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        int stop = end < 0 ? n : end + 2;
        while (i < stop) i = blank(source, i, code);
      } else if (source.startsWith("\"\"\"", i)) {
        code.append("\"\"\"");
        i += 3;
        while (i < n && !source.startsWith("\"\"\"", i)) {
          if (source.charAt(i) == '\\' && i + 1 < n) i = blank(source, i, code);
          i = blank(source, i, code);
        }
        code.append("\"\"\"");
        i += 3;
      } else if (c == '"' || c == '\'') {
        code.append(c);
        i++;
        while (i < n && source.charAt(i) != c && source.charAt(i) != '\n') {
          if (source.charAt(i) == '\\' && i + 1 < n) i = blank(source, i, code);
          i = blank(source, i, code);
        }
        if (i < n && source.charAt(i) == c) {
          code.append(c);
          i++;
        }
      } else {
        code.append(c);
        i++;
      }
    }
    return code.toString();
  }

  /** Appends a blank for the character at {@code i} (a line break stays one); answers the next index. */
  private static int blank(String source, int i, StringBuilder code) {
    code.append(source.charAt(i) == '\n' ? '\n' : ' ');
    return i + 1;
  }
}
