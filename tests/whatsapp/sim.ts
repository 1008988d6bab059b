import { createMetaSimulator, type MetaSimulator, type MetaSimulatorOptions } from '../../simulators/meta/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { PHONE_NUMBER_ID, TOKEN, WABA_ID } from './helpers.js';

export interface Sim {
  sim: MetaSimulator;
  url: string;
  close(): Promise<void>;
}

/** The Meta simulator on a random port, with our test number. */
export async function startSim(opts: Partial<MetaSimulatorOptions> = {}): Promise<Sim> {
  const sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    statusDelayMs: 5,
    ...opts,
  });
  const server = await sim.listen(0);
  return {
    sim,
    url: server.url,
    async close() {
      sim.stop();
      await server.close();
    },
  };
}
