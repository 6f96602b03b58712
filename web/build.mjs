// Bundles the web app into dist/ (served by the API silos under /app/ and at the site root).
// Everything third-party comes from node_modules (pinned in package-lock.json), never from the repository.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const out = new URL('./dist/', import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: 'src/app.js', report: 'src/report.js', clinic: 'src/clinic.js' },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outdir: out,
  logLevel: 'warning',
});

for (const file of ['index.html', 'report.html', 'clinic.html', 'styles.css', 'icon.svg']) {
  cpSync(`src/${file}`, out + file);
}
cpSync('node_modules/uplot/dist/uPlot.min.css', out + 'uplot.css');
console.log(`web app built into ${out}`);
