package dev.amalgam.memory.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a test method or class from {@link LeakCheckExtension}'s failures, for tests that leak on
 * purpose to check the leak machinery; what they leave open is still closed after them.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AllowLeaks {
  /** Why the test leaks, for the reader. */
  String value() default "";
}
