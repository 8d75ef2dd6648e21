// Checks an ontology file against the OWL 2 DL profile with the OWL API (bundled in HermiT.jar).
// Usage: java -cp HermiT.jar OwlDlProfile.java FILE  -> prints each violation; exit 0 in profile, 1 not.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlDlProfile {
    public static void main(String[] args) throws Exception {
        OWLOntology ontology = OWLManager.createOWLOntologyManager()
            .loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println(violation);
        }
        System.out.println("axioms: " + ontology.getLogicalAxiomCount() + " logical, " + ontology.getAxiomCount() + " in all");
        System.exit(report.isInProfile() ? 0 : 1);
    }
}
