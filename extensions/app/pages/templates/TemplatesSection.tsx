// The Templates section of the app pages: the templates page with the page's own context and actions.
import { useBackend } from '../backend';
import { TemplatesPage } from './TemplatesPage';

export function TemplatesSection() {
  const { context, actions } = useBackend();
  return <TemplatesPage context={context} actions={actions} />;
}
