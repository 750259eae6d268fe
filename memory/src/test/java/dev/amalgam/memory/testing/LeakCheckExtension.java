package dev.amalgam.memory.testing;

import dev.amalgam.memory.ResourceTracker;
import dev.amalgam.memory.ResourceTracker.Tracked;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Makes every test a leak test: fails a test that leaves a tracked resource open or a reservation
 * or pin outstanding. Registered through {@code ServiceLoader}; needs {@code
 * junit.jupiter.extensions.autodetection.enabled=true}.
 *
 * <p>Before each test it snapshots {@link ResourceTracker#live()}; after it, it fails the test when
 * a resource registered during the test is still live ({@code not closed: <describe()>: <leaks>})
 * or when any live resource reports {@link Tracked#leaks()} ({@code leaked: <describe()>:
 * <leaks>}). The same check runs around each test class, for resources made in {@code @BeforeAll}
 * and not closed in {@code @AfterAll}. Whatever it reports it then closes (catching everything) and
 * unregisters, so one leaking test does not fail the tests after it. Tests annotated {@link
 * AllowLeaks} are cleaned up the same way but not failed.
 *
 * <p>The tracker is process-wide, so the check assumes tests of one JVM run one at a time (JUnit's
 * default); with parallel execution enabled it would blame one test for another's resources.
 */
public final class LeakCheckExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LeakCheckExtension.class);
  private static final String BASELINE = "baseline";

  /** Creates the extension; JUnit does this through {@code ServiceLoader}. */
  public LeakCheckExtension() {}

  /** Remembers which resources were live before the test class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    snapshot(context);
  }

  /** Fails the test class if it left resources open or leaking, then closes them. */
  @Override
  public void afterAll(ExtensionContext context) {
    check(context, "after test class " + context.getDisplayName());
  }

  /** Remembers which resources were live before the test. */
  @Override
  public void beforeEach(ExtensionContext context) {
    snapshot(context);
  }

  /** Fails the test if it left resources open or leaking, then closes them. */
  @Override
  public void afterEach(ExtensionContext context) {
    check(context, "after test " + context.getDisplayName());
  }

  private static void snapshot(ExtensionContext context) {
    context.getStore(NAMESPACE).put(BASELINE, ResourceTracker.live());
  }

  private static void check(ExtensionContext context, String when) {
    @SuppressWarnings("unchecked")
    Set<Tracked> baseline = context.getStore(NAMESPACE).remove(BASELINE, Set.class);
    List<Tracked> offenders = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Tracked resource : ResourceTracker.live()) {
      List<String> leaks = leaksOf(resource);
      boolean isNew = baseline != null && !baseline.contains(resource);
      if (isNew) {
        problems.add("not closed: " + describe(resource) + suffix(leaks));
      } else if (!leaks.isEmpty()) {
        problems.add("leaked: " + describe(resource) + suffix(leaks));
      } else {
        continue;
      }
      offenders.add(resource);
    }
    if (problems.isEmpty()) {
      return;
    }
    problems.sort(Comparator.naturalOrder());
    for (Tracked resource : offenders) {
      closeQuietly(resource);
    }
    if (allowsLeaks(context)) {
      return;
    }
    throw new AssertionError(
        "resource leak "
            + when
            + " (closed now, so later tests start clean):\n  "
            + String.join("\n  ", problems));
  }

  private static boolean allowsLeaks(ExtensionContext context) {
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      Optional<AnnotatedElement> element = c.get().getElement();
      if (element.isPresent() && AnnotationSupport.isAnnotated(element, AllowLeaks.class)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> leaksOf(Tracked resource) {
    try {
      return List.copyOf(resource.leaks());
    } catch (Throwable e) {
      return List.of("leaks() threw " + e);
    }
  }

  private static String describe(Tracked resource) {
    try {
      return resource.describe();
    } catch (Throwable e) {
      return resource.getClass().getName() + " (describe() threw " + e + ")";
    }
  }

  private static String suffix(List<String> leaks) {
    return leaks.isEmpty() ? "" : ": " + String.join("; ", leaks);
  }

  private static void closeQuietly(Tracked resource) {
    try {
      if (resource instanceof AutoCloseable closeable) {
        closeable.close();
      }
    } catch (Throwable ignored) {
      // Expected: closing a leaking resource reports the leak again, which we just did.
    } finally {
      ResourceTracker.unregister(resource);
    }
  }
}
