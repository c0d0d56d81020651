// The chat page's server side. The page's browser code (src/web/app) is bundled by
// scripts/buildWeb.mjs into dist/web and is not part of the package's modules.
export {
  createPageHandler,
  PAGE_CONTENT_SECURITY_POLICY,
  type PageHandlerOptions,
} from "./createPageHandler.js";
