import type { DomainModule } from './app-context.js';

/** Every domain, in the order they register (later ones may use earlier ones' services). */
export const modules: DomainModule[] = [];
