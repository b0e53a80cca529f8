#!/usr/bin/env node
// `cinematch` (npx cinematch …): the CLI is TypeScript run natively by Node 24 (type stripping).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `cinematch needs Node 24 (found ${process.versions.node}); run it as \`sh scripts/node24.sh npx cinematch …\` from the repository\n`,
  );
  process.exit(2);
}
// Imported, main.ts's own `import.meta.main` entry does not run, so the launcher dispatches itself.
const { dispatch } = await import("../src/main.ts");
process.title = `cinematch ${process.argv.slice(2, 4).join(" ")}`.trim();
process.exitCode = await dispatch(process.argv.slice(2));
