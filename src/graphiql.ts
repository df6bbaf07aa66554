import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';
import { graphiqlTabs } from './graph/examples';

/**
 * GraphiQL served by the gateway itself, so it works on a network without Internet: Yoga's own page loads
 * its scripts from unpkg.com. The scripts, styles, Monaco's workers and the favicon come from the npm package
 * @graphql-yoga/render-graphiql, each at its own URL named by its content's hash (cached for a year, so a
 * browser fetches the ~9 MB once per release, not on each page view), and the page itself is a few KB.
 * The package is imported on the first GraphiQL request only: a gateway with GraphiQL off never holds it.
 */

const ASSETS = '/graphiql/assets/';

interface Asset {
  /** The package's own string where there is one: a copy would double the memory GraphiQL holds. */
  body: string | Buffer;
  type: string;
  etag: string;
  /** Made on the first request that accepts gzip, then kept. */
  gzipped?: Promise<Buffer>;
}

interface Assets {
  /** By path, for the route. */
  byPath: Map<string, Asset>;
  /** By name, for the page. */
  url: Record<'js' | 'css' | 'favicon' | 'editorWorkerService' | 'json' | 'graphql', string>;
}

export interface SelfHostedGraphiQL {
  /** Yoga's `graphiql` option: the page's title and tabs. */
  options: GraphiQLOptions;
  /** Yoga's `renderGraphiQL`: the page, which names the assets. */
  render: (options: GraphiQLOptions) => Promise<string>;
  /** Answers a request under /graphiql/assets/; false (nothing sent) for any other path. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function selfHostedGraphiQL(title: string): SelfHostedGraphiQL {
  let loading: Promise<Assets> | undefined;
  const assets = () => {
    loading ??= loadAssets().catch((err: unknown) => {
      // A failed import is tried again on the next request rather than remembered.
      loading = undefined;
      throw err;
    });
    return loading;
  };

  return {
    // The variables pane open: the examples' variables are what makes them run.
    options: { title, defaultTabs: graphiqlTabs(), defaultEditorToolsVisibility: 'variables' },
    // GraphiQL shows the first tab's query but not its variables (graphql/graphiql#3392): Yoga's page passes
    // `variables` on as GraphiQL's initialVariables, which fills them in.
    render: async (options) =>
      page({ ...options, variables: options.defaultTabs?.[0]?.variables }, (await assets()).url),
    async serve(req, res) {
      const path = (req.url ?? '').split('?')[0]!;
      if (!path.startsWith(ASSETS)) return false;
      const asset = (await assets()).byPath.get(path);
      if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return true;
      }
      // The favicon is already compressed; the scripts and styles shrink to a fifth.
      const gzipped =
        asset.type !== 'image/x-icon' &&
        /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      // Another body, so another tag: a cache must not answer a gzip-less client's 304 with it.
      const etag = gzipped ? `${asset.etag.slice(0, -1)}-gzip"` : asset.etag;
      const headers: Record<string, string> = {
        'content-type': asset.type,
        'cache-control': 'public, max-age=31536000, immutable',
        etag,
        vary: 'accept-encoding',
      };
      if (String(req.headers['if-none-match'] ?? '').includes(etag)) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      let body = asset.body;
      if (gzipped) {
        asset.gzipped ??= promisify(gzip)(asset.body);
        body = await asset.gzipped;
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(Buffer.byteLength(body));
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

async function loadAssets(): Promise<Assets> {
  // The package's `./*` export maps this deep import to esm/graphiql.js: the assets as strings, without the
  // page that `renderGraphiQL` would inline them all into.
  const g = await import('@graphql-yoga/render-graphiql/graphiql');
  const favicon = /^data:image\/x-icon;base64,(.*)$/s.exec(g.favicon);
  const sources: Array<[keyof Assets['url'], string, string, string | Buffer]> = [
    ['js', 'graphiql', 'js', g.js],
    ['css', 'graphiql', 'css', g.css],
    ['editorWorkerService', 'editor-worker', 'js', g.editorWorkerService],
    ['json', 'json-worker', 'js', g.jsonWorker],
    ['graphql', 'graphql-worker', 'js', g.graphqlWorker],
    ['favicon', 'favicon', 'ico', Buffer.from(favicon?.[1] ?? '', 'base64')],
  ];
  const types: Record<string, string> = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    ico: 'image/x-icon',
  };
  const byPath = new Map<string, Asset>();
  const url = {} as Assets['url'];
  for (const [key, stem, ext, body] of sources) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const path = `${ASSETS}${stem}-${hash}.${ext}`;
    byPath.set(path, { body, type: types[ext]!, etag: `"${hash}"` });
    url[key] = path;
  }
  return { byPath, url };
}

/** JSON inside a <script>: `<` escaped, so no string in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** What the package's `renderGraphiQL` writes, with URLs where it inlines the assets. */
function page(
  options: GraphiQLOptions & { variables?: string | null },
  url: Assets['url'],
): string {
  const workers = {
    editorWorkerService: url.editorWorkerService,
    json: url.json,
    graphql: url.graphql,
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${url.favicon}" />
    <link rel="stylesheet" href="${url.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: (_moduleId, label) => workers[label],
      };
    </script>
    <script src="${url.js}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}
