// Lets a child process of a test run the agent's TypeScript sources directly, the way jest does
// in-process: transpile on require, and map @driftlock/* to the workspace packages' sources.
const Module = require('module');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const packages = path.resolve(__dirname, '..', '..', '..', '..', 'packages');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@driftlock\/([a-z-]+)$/.exec(request);
  const target = match ? path.join(packages, match[1], 'src', 'index.ts') : request;
  return resolve.call(this, target, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
