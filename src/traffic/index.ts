export * from './traffic-split';
export * from './traffic-split-base';
export * from './nginx-traffic-split';
export * from './istio-traffic-split';
export * from './gateway-api-traffic-split';
export * from './gateway-api-plugin';
export * from './alb-traffic-split';
