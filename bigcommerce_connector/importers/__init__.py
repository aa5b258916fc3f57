"""One importer per BigCommerce entity; models call them from jobs and wizards."""
