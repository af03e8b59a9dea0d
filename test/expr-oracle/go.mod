module cdk8s-argo-rollouts/test/expr-oracle

go 1.21

require github.com/antonmedv/expr v1.15.5
