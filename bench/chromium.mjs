// Debian's Chromium (`apt-get install -y chromium`), as the console's end-to-end tests and
// `npm run bench:console` drive it: playwright-core never downloads a browser of its own.
import { chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Headless Chromium with no sandbox (containers and CI run as root) and no background traffic. */
export const launchChromium = () => chromium.launch({ executablePath: CHROMIUM, args: ARGS })
