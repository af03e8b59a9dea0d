package main

// argocd-diff appset --applicationset FILE [--clusters FILE] [--projects default] --out DIR
//
// Runs Argo CD v3.5.1's ApplicationSet controller on one ApplicationSet, as the controller binary
// wires it (cmd/argocd-applicationset-controller): controllers.ApplicationSetReconciler.Reconcile
// with generators.GetGenerators (List, Clusters, Matrix, ... as in production), utils.Render
// (goTemplate, templatePatch), the controller's validation of the generated Applications
// (validateGeneratedApplications: duplicate names, project, destination through util/db) and
// progressive syncs (progressivesync.Manager: RollingSync steps by label, maxUpdate). The cluster
// Secrets of --clusters are given to a controller-runtime fake client (the cluster generator reads
// them there) and to a fake clientset (util/db and the cluster informer read them there).
//
// The Application controller is not run: when the ApplicationSet controller triggers a sync of an
// Application (sets its operation), this command completes it as a successful sync of a healthy
// Application and reconciles again, until the RollingSync rollout completes. The order in which the
// controller first triggered the sync of each Application is written as the waves.
//
// Output in DIR: applications/<name>.yaml (the name path-escaped) (every Application the controller created, without
// status), report.json ({"applications", "waves", "applicationStatus", "conditions",
// "invalidGenerators", "nameErrors", "manifestErrors", "bytes", "clientSideApply"}). Exit status 1 when the controller reports an error
// (condition ErrorOccurred) or an Application name is one the API server refuses.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/common"
	"github.com/argoproj/argo-cd/v3/applicationset/controllers"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	appsetmetrics "github.com/argoproj/argo-cd/v3/applicationset/metrics"
	"github.com/argoproj/argo-cd/v3/applicationset/progressivesync"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	argocommon "github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	"github.com/argoproj/argo-cd/v3/util/db"
	"github.com/argoproj/argo-cd/v3/util/settings"
)

const argocdNamespace = "argocd"

type appsetReport struct {
	Applications      []string                                   `json:"applications"`
	Waves             [][]string                                 `json:"waves"`
	ApplicationStatus []v1alpha1.ApplicationSetApplicationStatus `json:"applicationStatus"`
	Conditions        []v1alpha1.ApplicationSetCondition         `json:"conditions"`
	InvalidGenerators string                                     `json:"invalidGenerators,omitempty"`
	NameErrors        []string                                   `json:"nameErrors,omitempty"`
	ManifestErrors    []string                                   `json:"manifestErrors,omitempty"`
	// Bytes of the ApplicationSet as JSON, and what the API server says of it once a client-side
	// apply (kubectl apply, Argo CD's default) has recorded it in its last-applied annotation.
	Bytes           int    `json:"bytes"`
	ClientSideApply string `json:"clientSideApply,omitempty"`
}

// writeManifests generates an Application's manifests from a local checkout with the repo server's
// reposerver/repository.GenerateManifests (for a directory source: its findManifests, with
// directory.include/exclude/recurse), one JSON file per object.
func writeManifests(ctx context.Context, app *v1alpha1.Application, repoRoot, dir string) error {
	source := app.Spec.GetSource()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return err
	}
	q := &apiclient.ManifestRequest{
		Repo:              &v1alpha1.Repository{Repo: source.RepoURL},
		Revision:          source.TargetRevision,
		AppName:           app.Name,
		Namespace:         app.Spec.Destination.Namespace,
		ApplicationSource: &source,
		ProjectName:       app.Spec.Project,
	}
	res, err := repository.GenerateManifests(ctx, filepath.Join(root, source.Path), root, source.TargetRevision, q, true, nil, resource.MustParse("0"), nil)
	if err != nil {
		return err
	}
	if len(res.Manifests) == 0 {
		return fmt.Errorf("no manifests in %s (source type %s)", source.Path, res.SourceType)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, m := range res.Manifests {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.json", i)), []byte(m), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func appsetCommand(args []string) error {
	fs := flag.NewFlagSet("appset", flag.ExitOnError)
	setFile := fs.String("applicationset", "", "YAML file holding the ApplicationSet")
	clustersFile := fs.String("clusters", "", "YAML file(s) of Argo CD cluster Secrets")
	projects := fs.String("projects", "default", "comma-separated AppProjects that exist (any source, any destination)")
	outDir := fs.String("out", "", "directory to write the generated Applications and report.json to")
	repoRoot := fs.String("repo-root", "", "the repository's checkout: every Application's manifests are generated from it as the repo server does, into DIR/manifests/<name>/")
	maxRounds := fs.Int("max-reconciles", 200, "give up after this many reconciles (0: no reconcile, only the ApplicationSet's own checks)")
	verbose := fs.Bool("v", false, "the controller's log on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *setFile == "" || *outDir == "" {
		return errors.New("appset: --applicationset and --out are required")
	}
	if !*verbose {
		log.SetLevel(log.WarnLevel)
	}
	appset, err := readApplicationSet(*setFile)
	if err != nil {
		return err
	}
	var secrets []*corev1.Secret
	if *clustersFile != "" {
		if secrets, err = readSecrets(*clustersFile); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	if err := corev1.AddToScheme(scheme); err != nil {
		return err
	}
	objects := []client.Object{appset}
	kubeObjects := []runtime.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: argocommon.ArgoCDConfigMapName, Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: argocommon.ArgoCDSecretName, Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}, Data: map[string][]byte{"server.secretkey": []byte("x")}},
	}
	for _, name := range strings.Split(*projects, ",") {
		objects = append(objects, &v1alpha1.AppProject{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: argocdNamespace},
			Spec: v1alpha1.AppProjectSpec{
				SourceRepos:              []string{"*"},
				Destinations:             []v1alpha1.ApplicationDestination{{Server: "*", Namespace: "*"}},
				ClusterResourceWhitelist: []v1alpha1.ClusterResourceRestrictionItem{{Group: "*", Kind: "*"}},
			},
		})
	}
	for _, s := range secrets {
		objects = append(objects, s)
		kubeObjects = append(kubeObjects, s)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objects...).WithStatusSubresource(appset).
		WithIndex(&v1alpha1.Application{}, ".metadata.controller", ownerIndex).Build()
	kubeclientset := kubefake.NewClientset(kubeObjects...)
	argoDB := db.NewDB(argocdNamespace, settings.NewSettingsManager(ctx, kubeclientset, argocdNamespace), kubeclientset)
	clusterInformer, err := settings.NewClusterInformer(kubeclientset, argocdNamespace)
	if err != nil {
		return err
	}
	go clusterInformer.Run(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), clusterInformer.HasSynced) {
		return errors.New("appset: cluster informer did not sync")
	}
	r := &controllers.ApplicationSetReconciler{
		Client:                 c,
		Scheme:                 scheme,
		Recorder:               &record.FakeRecorder{},
		Generators:             generators.GetGenerators(ctx, c, kubeclientset, argocdNamespace, nil, dynamicfake.NewSimpleDynamicClient(scheme), generators.SCMConfig{}, clusterInformer),
		ArgoDB:                 argoDB,
		KubeClientset:          kubeclientset,
		Policy:                 v1alpha1.ApplicationsSyncPolicySync,
		Renderer:               &utils.Render{},
		ArgoCDNamespace:        argocdNamespace,
		EnableProgressiveSyncs: true,
		Metrics:                appsetmetrics.NewFakeAppsetMetrics(),
		ClusterInformer:        clusterInformer,
	}
	r.ProgressiveSyncManager = progressivesync.NewManager(c, c, r)

	report := appsetReport{Waves: [][]string{}}
	if report.Bytes, report.ClientSideApply, err = clientSideApply(*setFile); err != nil {
		return err
	}
	if err := utils.CheckInvalidGenerators(appset); err != nil {
		report.InvalidGenerators = err.Error()
	}
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: appset.Namespace, Name: appset.Name}}
	var failure error
	triggered := map[string]bool{}
	for round := 0; *maxRounds > 0; round++ {
		if round == *maxRounds {
			failure = fmt.Errorf("appset: the RollingSync rollout did not complete in %d reconciles", *maxRounds)
			break
		}
		if _, err := r.Reconcile(ctx, req); err != nil {
			failure = fmt.Errorf("appset: Reconcile: %w", err)
			break
		}
		current := &v1alpha1.ApplicationSet{}
		if err := c.Get(ctx, req.NamespacedName, current); err != nil {
			return err
		}
		if cond := condition(current, v1alpha1.ApplicationSetConditionErrorOccurred); cond != nil && cond.Status == v1alpha1.ApplicationSetConditionStatusTrue {
			failure = fmt.Errorf("appset: the ApplicationSet controller reports %s: %s", cond.Reason, cond.Message)
			break
		}
		synced, err := completeSyncs(ctx, c, appset.Namespace)
		if err != nil {
			return err
		}
		var wave []string
		for _, name := range synced {
			if !triggered[name] {
				triggered[name] = true
				wave = append(wave, name)
			}
		}
		if len(wave) > 0 {
			report.Waves = append(report.Waves, wave)
		}
		rolling := condition(current, v1alpha1.ApplicationSetConditionRolloutProgressing)
		done := !progressivesync.RollingSyncStrategyEnabled(current) || (rolling != nil && rolling.Status == v1alpha1.ApplicationSetConditionStatusFalse)
		if round > 0 && len(synced) == 0 && done {
			break
		}
	}

	final := &v1alpha1.ApplicationSet{}
	if err := c.Get(ctx, req.NamespacedName, final); err != nil {
		return err
	}
	report.Conditions = final.Status.Conditions
	report.ApplicationStatus = final.Status.ApplicationStatus
	apps := &v1alpha1.ApplicationList{}
	if err := c.List(ctx, apps, client.InNamespace(appset.Namespace)); err != nil {
		return err
	}
	dir := filepath.Join(*outDir, "applications")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	report.Applications = []string{}
	for i := range apps.Items {
		app := apps.Items[i]
		report.Applications = append(report.Applications, app.Name)
		// What the API server checks of every object's metadata (a custom resource's name is a DNS subdomain).
		for _, e := range apivalidation.ValidateObjectMeta(&app.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")) {
			report.NameErrors = append(report.NameErrors, fmt.Sprintf("%s: %s", app.Name, e.Error()))
		}
		app.Status = v1alpha1.ApplicationStatus{}
		app.ResourceVersion = ""
		app.Operation = nil
		app.TypeMeta = metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "Application"}
		data, err := yaml.Marshal(&app)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, url.PathEscape(app.Name)+".yaml"), data, 0o644); err != nil {
			return err
		}
		if *repoRoot != "" {
			if err := writeManifests(ctx, &app, *repoRoot, filepath.Join(*outDir, "manifests", url.PathEscape(app.Name))); err != nil {
				report.ManifestErrors = append(report.ManifestErrors, fmt.Sprintf("%s: %s", app.Name, err.Error()))
			}
		}
	}
	sort.Strings(report.Applications)
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*outDir, "report.json"), data, 0o644); err != nil {
		return err
	}
	if failure == nil && len(report.ManifestErrors) > 0 {
		failure = fmt.Errorf("appset: the repo server generates no manifests for %s", strings.Join(report.ManifestErrors, "; "))
	}
	if failure == nil && len(report.NameErrors) > 0 {
		failure = fmt.Errorf("appset: the API server would refuse %s", strings.Join(report.NameErrors, "; "))
	}
	if failure != nil {
		fmt.Fprintln(os.Stderr, "argocd-diff:", failure)
		os.Exit(1)
	}
	return nil
}

// completeSyncs plays the Application controller: every Application whose sync the ApplicationSet
// controller triggered (an operation) finishes it successfully, Synced and Healthy.
func completeSyncs(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	apps := &v1alpha1.ApplicationList{}
	if err := c.List(ctx, apps, client.InNamespace(namespace)); err != nil {
		return nil, err
	}
	var synced []string
	// After every transition time the controller set (its times are stored to the second).
	at := metav1.NewTime(time.Now().Add(time.Second).Truncate(time.Second))
	for i := range apps.Items {
		app := &apps.Items[i]
		if app.Operation == nil {
			continue
		}
		synced = append(synced, app.Name)
		app.Status.OperationState = &v1alpha1.OperationState{Operation: *app.Operation, Phase: common.OperationSucceeded, StartedAt: at, FinishedAt: &at}
		app.Operation = nil
		app.Status.Sync.Status = v1alpha1.SyncStatusCodeSynced
		app.Status.Health.Status = health.HealthStatusHealthy
		app.Status.ReconciledAt = &at
		if err := c.Update(ctx, app); err != nil {
			return nil, err
		}
	}
	sort.Strings(synced)
	return synced, nil
}

func condition(appset *v1alpha1.ApplicationSet, t v1alpha1.ApplicationSetConditionType) *v1alpha1.ApplicationSetCondition {
	for i := range appset.Status.Conditions {
		if appset.Status.Conditions[i].Type == t {
			return &appset.Status.Conditions[i]
		}
	}
	return nil
}

// ownerIndex is the index the controller registers (appControllerIndexer in
// applicationset_controller.go, unexported): an Application's controlling ApplicationSet.
func ownerIndex(o client.Object) []string {
	owner := metav1.GetControllerOf(o)
	if owner == nil || owner.APIVersion != v1alpha1.SchemeGroupVersion.String() || owner.Kind != "ApplicationSet" {
		return nil
	}
	return []string{owner.Name}
}

// clientSideApply: the ApplicationSet's size, and the API server's metadata validation of it with the
// last-applied annotation a client-side apply writes (the whole object: TotalAnnotationSizeLimitB).
func clientSideApply(path string) (int, string, error) {
	objects, err := load(path)
	if err != nil {
		return 0, "", err
	}
	for _, o := range objects {
		if o.GetKind() != "ApplicationSet" {
			continue
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			return 0, "", err
		}
		meta := metav1.ObjectMeta{Name: o.GetName(), Namespace: argocdNamespace, Annotations: map[string]string{}}
		for k, v := range o.GetAnnotations() {
			meta.Annotations[k] = v
		}
		meta.Annotations[lastApplied] = string(data)
		var messages []string
		for _, e := range apivalidation.ValidateObjectMeta(&meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")) {
			messages = append(messages, e.Error())
		}
		return len(data), strings.Join(messages, "; "), nil
	}
	return 0, "", fmt.Errorf("no ApplicationSet in %s", path)
}

// readApplicationSet decodes the ApplicationSet into Argo CD's type, refusing fields it does not have
// (the API server would prune them silently).
func readApplicationSet(path string) (*v1alpha1.ApplicationSet, error) {
	objects, err := load(path)
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		if o.GetKind() != "ApplicationSet" {
			continue
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		decoder := json.NewDecoder(bytes.NewReader(data))
		decoder.DisallowUnknownFields()
		appset := &v1alpha1.ApplicationSet{}
		if err := decoder.Decode(appset); err != nil {
			return nil, fmt.Errorf("%s: ApplicationSet %s: %w", path, o.GetName(), err)
		}
		if appset.Namespace == "" {
			appset.Namespace = argocdNamespace
		}
		// The API server's: the Applications' owner references carry it.
		appset.UID = types.UID("00000000-0000-4000-8000-" + fmt.Sprintf("%012x", len(appset.Name)))
		return appset, nil
	}
	return nil, fmt.Errorf("no ApplicationSet in %s", path)
}

// readSecrets reads cluster Secrets, with stringData merged into data as the API server does.
func readSecrets(path string) ([]*corev1.Secret, error) {
	objects, err := load(path)
	if err != nil {
		return nil, err
	}
	var out []*corev1.Secret
	for _, o := range objects {
		if o.GetKind() != "Secret" {
			continue
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		s := &corev1.Secret{}
		if err := json.Unmarshal(data, s); err != nil {
			return nil, err
		}
		if s.Namespace == "" {
			s.Namespace = argocdNamespace
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
		out = append(out, s)
	}
	return out, nil
}
