/* Loads extension scripts into a fresh node `vm` context, in order, as the browser does
 * (content scripts share globalThis.SecondLook; background scripts share top-level names).
 * Development only: build.py never ships extension/tests. */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const EXTENSION = path.resolve(__dirname, "..");

/**
 * Run `files` (paths under extension/) in one context that has `globals` (node's URL is not a
 * JavaScript built-in, so a script using it gets it here); returns {SL, get(name)}: the content
 * scripts' globalThis.SecondLook and a reader for a background script's top-level name.
 */
function load(files, globals = {}) {
  const context = vm.createContext({ ...globals });
  for (const file of files) {
    vm.runInContext(fs.readFileSync(path.join(EXTENSION, file), "utf8"), context, { filename: file });
  }
  return { SL: context.SecondLook, get: (name) => vm.runInContext(name, context) };
}

/** A value made in the context, as plain data of this realm (deepStrictEqual compares prototypes). */
const plain = (value) => JSON.parse(JSON.stringify(value));

module.exports = { load, plain, EXTENSION };
