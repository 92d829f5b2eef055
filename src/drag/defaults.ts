// DragGAN's default settings, apart from the session so the web app's page can read them without the engine.

/**
 * DragGAN's defaults as both official apps run it (visualizer_drag.py's latent and drag widgets and
 * visualizer_drag_gradio.py's params): w+, Adam lr 0.001, r1 3 and r2 12 (pixels of a 512 image), lambda 20,
 * feat[5], and truncation psi 0.7 for a seed's start latent (Renderer.init_network's trunc_psi). The renderer's
 * own keyword default lambda_mask=10 is never used by them: both apps pass their lambda of 20.
 */
export const DRAG_DEFAULTS = { wSpace: 'w+', lr: 0.001, r1: 3, r2: 12, lambdaMask: 20, reg: 0, psi: 0.7, maxSteps: 200 } as const;
