// The router of the app pages: one route per entry of SECTIONS, a menu on top of every section.
import type { ReactNode } from 'react';
import { Divider, Flex, Text } from '@hubspot/ui-extensions';
import { createPageRouter, PageLink, PageRoutes, usePageRoute } from '@hubspot/ui-extensions/pages';
import { BackendProvider, type Backend } from './backend';
import { SECTIONS, type Section } from './sections';

function Menu({ sections }: { sections: Section[] }) {
  const route = usePageRoute();
  return (
    <Flex direction="row" gap="md" wrap="wrap">
      {sections.map((s) =>
        (route.routeId ?? 'dashboard') === s.id ? (
          <Text key={s.id} format={{ fontWeight: 'bold' }} testId={`menu-current-${s.id}`}>
            {s.title}
          </Text>
        ) : (
          <PageLink key={s.id} to={s.path} testId={`menu-${s.id}`}>
            {s.title}
          </PageLink>
        ),
      )}
    </Flex>
  );
}

export function buildRouter(sections: Section[] = SECTIONS) {
  const Layout = ({ children }: { children: ReactNode }) => (
    <Flex direction="column" gap="md">
      <Menu sections={sections} />
      <Divider />
      {children}
    </Flex>
  );
  const index = sections.find((s) => s.path === '/');
  return createPageRouter(
    <PageRoutes layoutComponent={Layout}>
      {index ? <PageRoutes.IndexRoute id={index.id} component={index.component} /> : null}
      {sections
        .filter((s) => s !== index)
        .map((s) => (
          <PageRoutes.Route key={s.id} id={s.id} path={s.path} component={s.component} />
        ))}
    </PageRoutes>,
  );
}

const Router = buildRouter();

export function AppPages({ backend }: { backend: Backend }) {
  return (
    <BackendProvider backend={backend}>
      <Router />
    </BackendProvider>
  );
}
