// Run by consumer-app.sh inside the consumer app (where cdk8s init's cdk8s-plus-33 is installed too):
// `node bad-input.js mixed` passes a cdk8s-plus-33 Service where a cdk8s-plus-27 one is expected;
// `node bad-input.js load` requires the package (after cdk8s-plus-27 was removed). Prints the message.
const mode = process.argv[2];
try {
  const { App, Chart } = require('cdk8s');
  const rollouts = require('cdk8s-argo-rollouts');
  if (mode === 'mixed') {
    const plus33 = require('cdk8s-plus-33');
    const chart = new Chart(new App(), 'shop');
    const stableService = new plus33.Service(chart, 'web-stable', { ports: [{ port: 8080 }] });
    new rollouts.CanaryRollout(chart, 'web', {
      containers: [{ image: 'web:1', portNumber: 8080 }], stableService, steps: [rollouts.CanaryStep.weight(50)],
    });
  }
  console.log('accepted');
} catch (e) {
  console.log(e.message);
}
