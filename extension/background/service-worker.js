/* Chromium service worker: loads the background modules in order.
 * Firefox lists the same files under background.scripts instead (see build.py). */
importScripts("companion-client.js", "site-policy.js", "analysis.js", "main.js");
