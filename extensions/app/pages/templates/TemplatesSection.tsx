// The Templates section of the app pages: the templates page with the page's own context.
import { useBackend } from '../backend';
import { TemplatesPage } from './TemplatesPage';

export function TemplatesSection() {
  const { context } = useBackend();
  return <TemplatesPage context={context} />;
}
