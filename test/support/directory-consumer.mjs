import { WorkerEntrypoint } from 'cloudflare:workers'

/**
 * The SaaS application's Worker in the tests: it holds service bindings to the main Worker's
 * Directory entrypoint (vitest.config.ts) and calls them as an application would. The tests reach
 * it through its own binding and name the Directory binding and method to call.
 */
export default class DirectoryConsumer extends WorkerEntrypoint {
  async call(binding, method, ...args) {
    return this.env[binding][method](...args)
  }
}
