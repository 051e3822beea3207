package dev.tfblend.plot;

/**
 * Puts AWT into headless mode before any class of this package touches it, so charts render on
 * servers and CI machines without a display (and no window-system icon appears on desktops).
 *
 * <p>AWT reads {@code java.awt.headless} once, when the graphics environment first loads; every
 * class here that uses AWT calls {@link #ensure()} from its static initializer. An explicit
 * setting (for example {@code -Djava.awt.headless=false}) is respected.
 */
final class Headless {
  private Headless() {}

  static void ensure() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
